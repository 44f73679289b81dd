// Fuzzes encoding arbitrary bytes with the tokenizers of the test data and the demo. The first
// byte picks the tokenizer and whether special tokens are added; the rest is the text. Besides
// not crashing, every token's byte span must lie inside the input and decoding must succeed.

#include "model/core/error.h"
#include "model/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_scratch.h"

#include <string_view>
#include <vector>

using namespace lorsa;

namespace {

std::vector<Tokenizer>& tokenizers()
{
    static std::vector<Tokenizer> loaded = [] {
        std::vector<Tokenizer> all;
        for (const char* file : {"tests/data/tokenizers/gpt2_style.json", "tests/data/tokenizers/llama3_style.json",
                                 "tests/data/tokenizers/llama3_nfc.json", "resources/demo/model/tokenizer.json"})
            all.push_back(Tokenizer::fromJsonText(fuzz::sourceFile(file), file));
        return all;
    }();
    return loaded;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    (void)tokenizers();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const auto& tokenizer = tokenizers()[data[0] % tokenizers().size()];
    const bool special = (data[0] / tokenizers().size()) % 2 == 1;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const auto encoding = tokenizer.encode(text, special);
        if (encoding.ids.size() != encoding.byteSpans.size())
            __builtin_trap();
        for (const auto& [begin, end] : encoding.byteSpans)
            if (begin < 0 || begin > end || end > static_cast<int64_t>(text.size()))
                __builtin_trap();
        (void)tokenizer.decode(encoding.ids);
    } catch (const Error& error) {
        if (error.kind() != ErrorKind::InvalidInput)  // only bad UTF-8 (or too long) is refused
            __builtin_trap();
    }
    return 0;
}
