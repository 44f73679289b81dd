#include "tests/fuzz/fuzz_targets.h"

#include "model/core/error.h"
#include "model/io/restricted_unpickler.h"
#include "model/lorsa/lorsa_config.h"
#include "model/tokenizer/tokenizer.h"
#include "model/transformer/model_config.h"
#include "tests/fuzz/fuzz_scratch.h"

#include <ATen/ATen.h>

#include <functional>
#include <map>
#include <stdexcept>
#include <string_view>

namespace lorsa::fuzz {
namespace {

void safetensors(const uint8_t* data, size_t size)
{
    readAll(*openSafetensors(writeScratch("model.safetensors", data, size)));
}

// The index is read next to two valid shards, written once.
void safetensorsIndex(const uint8_t* data, size_t size)
{
    static const bool shardsWritten = [] {
        writeSafetensors(scratchDir() / "model-00001-of-00002.safetensors",
                         {{"embed.weight", at::arange(12, at::kFloat).reshape({3, 4})}, {"ln.bias", at::zeros({4})}});
        writeSafetensors(scratchDir() / "model-00002-of-00002.safetensors",
                         {{"head.weight", at::ones({2, 3}, at::kBFloat16)}, {"pos", at::arange(5, at::kLong)}}, {{"format", "pt"}});
        return true;
    }();
    (void)shardsWritten;
    readAll(*openShardedSafetensors(writeScratch("model.safetensors.index.json", data, size)));
}

void torchZip(const uint8_t* data, size_t size)
{
    readAll(*openTorchZip(writeScratch("state.pth", data, size)));
}

void pickle(const uint8_t* data, size_t size)
{
    RestrictedUnpickler unpickler("data.pkl", data, size);
    (void)unpickler.value(unpickler.run());
}

// The weight files a Lorsa config requires exist (empty: the config reader only checks them).
std::filesystem::path configFolder(const uint8_t* data, size_t size)
{
    static const bool weightsWritten = [] {
        writeScratch("checkpoint/sae_weights.safetensors", std::string());
        writeScratch("checkpoint/final.pth", std::string());
        return true;
    }();
    (void)weightsWritten;
    return writeScratch("checkpoint/config.json", data, size).parent_path();
}

void modelConfig(const uint8_t* data, size_t size)
{
    (void)loadModelConfig(configFolder(data, size));
}

void lorsaConfig(const uint8_t* data, size_t size)
{
    (void)loadLorsaConfig(configFolder(data, size));
}

// A tokenizer that loads also encodes and decodes a fixed text, so that the components the
// loader accepted run once.
void tokenizerJson(const uint8_t* data, size_t size)
{
    const auto tokenizer = Tokenizer::fromJsonText({reinterpret_cast<const char*>(data), size}, "tokenizer.json");
    const auto encoding = tokenizer.encode("Hello, w\xc3\xb6rld!  It's 2024\n\t<|endoftext|> ok");
    (void)tokenizer.decode(encoding.ids);
    for (const auto id : encoding.ids)
        (void)tokenizer.tokenText(id);
}

const std::vector<Tokenizer>& testTokenizers()
{
    static const std::vector<Tokenizer> loaded = [] {
        std::vector<Tokenizer> all;
        for (const char* file : {"tests/data/tokenizers/gpt2_style.json", "tests/data/tokenizers/llama3_style.json",
                                 "tests/data/tokenizers/llama3_nfc.json", "resources/demo/model/tokenizer.json"})
            all.push_back(Tokenizer::fromJsonText(sourceFile(file), file));
        return all;
    }();
    return loaded;
}

// The first byte picks the tokenizer and whether special tokens are added; the rest is the
// text. Spans must lie inside the input; only invalid text may be refused.
void tokenize(const uint8_t* data, size_t size)
{
    if (size == 0)
        return;
    const auto& all = testTokenizers();
    const auto& tokenizer = all[data[0] % all.size()];
    const bool special = (data[0] / all.size()) % 2 == 1;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    Encoding encoding;
    try {
        encoding = tokenizer.encode(text, special);
    } catch (const Error& error) {
        if (error.kind() != ErrorKind::InvalidInput)
            throw std::logic_error(std::string("encode refused text with a non-input error: ") + error.what());
        throw;
    }
    if (encoding.ids.size() != encoding.byteSpans.size())
        throw std::logic_error("encode: ids and spans differ in number");
    for (const auto& [begin, end] : encoding.byteSpans)
        if (begin < 0 || begin > end || end > static_cast<int64_t>(text.size()))
            throw std::logic_error("encode: a span outside the input");
    (void)tokenizer.decode(encoding.ids);
}

using Target = std::function<void(const uint8_t*, size_t)>;

const std::map<std::string, Target>& targets()
{
    static const std::map<std::string, Target> all{
        {"safetensors", safetensors}, {"safetensors-index", safetensorsIndex}, {"torch-zip", torchZip},
        {"pickle", pickle}, {"model-config", modelConfig}, {"lorsa-config", lorsaConfig},
        {"tokenizer-json", tokenizerJson}, {"tokenize", tokenize}};
    return all;
}

} // namespace

std::vector<std::string> targetNames()
{
    std::vector<std::string> names;
    for (const auto& [name, target] : targets())
        names.push_back(name);
    return names;
}

void runTarget(const std::string& name, const uint8_t* data, size_t size)
{
    const auto found = targets().find(name);
    if (found == targets().end())
        throw std::invalid_argument("no fuzz target named '" + name + "'");
    found->second(data, size);
}

} // namespace lorsa::fuzz
