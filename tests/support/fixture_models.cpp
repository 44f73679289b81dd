#include "tests/support/fixture_models.h"

#include "model/io/tensor_source.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace lorsa::test {
namespace {

using nlohmann::json;
using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Draws the weights of one fixture from its seed, with the scales of a trained model: attention
// weights large enough that patterns are far from uniform, norms around 1, nonzero biases.
class WeightMaker {
public:
    explicit WeightMaker(const FixtureModelOptions& options)
        : m_options(options), m_generator(at::make_generator<at::CPUGeneratorImpl>(options.seed))
    {
    }

    void matrix(const std::string& name, std::vector<int64_t> shape, double scale)
    {
        add(name, random(shape, scale, 0.0), storedDtype(false));
    }
    void bias(const std::string& name, int64_t n, double scale = 0.05) { add(name, random({n}, scale, 0.0), storedDtype(true)); }
    void normWeight(const std::string& name, int64_t n) { add(name, random({n}, 0.1, 1.0), storedDtype(true)); }
    void buffer(const std::string& name, at::Tensor value) { m_tensors.emplace_back(name, std::move(value)); }
    void copy(const std::string& name, const std::string& from)
    {
        for (const auto& [existing, tensor] : m_tensors)
            if (existing == from) {
                m_tensors.emplace_back(name, tensor.clone());
                return;
            }
        throw std::logic_error("fixture: no tensor " + from);
    }

    void write(const std::filesystem::path& dir) const
    {
        const int shards = std::max(1, m_options.shards);
        if (shards == 1) {
            writeSafetensors(dir / "model.safetensors", m_tensors, {{"format", "pt"}});
            return;
        }
        json weightMap = json::object();
        int64_t totalSize = 0;
        const size_t perShard = (m_tensors.size() + size_t(shards) - 1) / size_t(shards);
        for (int shard = 0; shard < shards; ++shard) {
            char name[64];
            std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", shard + 1, shards);
            NamedTensors part;
            for (size_t i = size_t(shard) * perShard; i < std::min(m_tensors.size(), size_t(shard + 1) * perShard); ++i) {
                part.push_back(m_tensors[i]);
                weightMap[m_tensors[i].first] = name;
                totalSize += int64_t(m_tensors[i].second.nbytes());
            }
            writeSafetensors(dir / name, part, {{"format", "pt"}});
        }
        const json index = {{"metadata", {{"total_size", totalSize}}}, {"weight_map", weightMap}};
        std::ofstream(dir / "model.safetensors.index.json") << index.dump(2);
    }

private:
    at::Tensor random(const std::vector<int64_t>& shape, double scale, double mean)
    {
        return at::normal(mean, scale, shape, m_generator, at::TensorOptions().dtype(at::kFloat));
    }
    at::ScalarType storedDtype(bool small) const
    {
        if (small && m_options.mixedDtypes)
            return at::kFloat;
        switch (m_options.dtype) {
        case FixtureDtype::F16: return at::kHalf;
        case FixtureDtype::BF16: return at::kBFloat16;
        case FixtureDtype::F32: break;
        }
        return at::kFloat;
    }
    void add(const std::string& name, const at::Tensor& value, at::ScalarType dtype) { m_tensors.emplace_back(name, value.to(dtype)); }

    const FixtureModelOptions& m_options;
    at::Generator m_generator;
    NamedTensors m_tensors;
};

void writeJson(const std::filesystem::path& file, const json& value)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << value.dump(2);
    if (!out)
        throw std::runtime_error("fixture: cannot write " + file.string());
}

std::string torchDtypeName(FixtureDtype dtype)
{
    switch (dtype) {
    case FixtureDtype::F16: return "float16";
    case FixtureDtype::BF16: return "bfloat16";
    case FixtureDtype::F32: break;
    }
    return "float32";
}

// GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to 256 + n in order.
std::vector<std::string> byteSymbols()
{
    std::vector<int> order;
    for (int b = '!'; b <= '~'; ++b)
        order.push_back(b);
    for (int b = 0xA1; b <= 0xAC; ++b)
        order.push_back(b);
    for (int b = 0xAE; b <= 0xFF; ++b)
        order.push_back(b);
    std::vector<int> codepoint(256, -1);
    for (int b : order)
        codepoint[size_t(b)] = b;
    int next = 256;
    for (int b = 0; b < 256; ++b)
        if (codepoint[size_t(b)] < 0) {
            codepoint[size_t(b)] = next++;
            order.push_back(b);
        }
    auto utf8 = [](int cp) {
        std::string s;
        if (cp < 0x80) {
            s += char(cp);
        } else {
            s += char(0xC0 | (cp >> 6));
            s += char(0x80 | (cp & 0x3F));
        }
        return s;
    };
    // Vocabulary order = GPT-2's: the printable bytes first, then the remapped ones.
    std::vector<std::string> symbols;
    for (int b : order)
        symbols.push_back(utf8(codepoint[size_t(b)]));
    return symbols;
}

json addedToken(int64_t id, const std::string& content)
{
    return {{"id", id},          {"content", content}, {"single_word", false}, {"lstrip", false},
            {"rstrip", false},   {"normalized", false}, {"special", true}};
}

} // namespace

void writeFixtureTokenizer(const std::filesystem::path& file, FixtureTokenizer flavour)
{
    json vocab = json::object();
    const auto symbols = byteSymbols();
    for (size_t i = 0; i < symbols.size(); ++i)
        vocab[symbols[i]] = int64_t(i);
    const std::vector<std::pair<std::string, std::string>> merges = {
        {"Ġ", "t"}, {"h", "e"}, {"i", "n"}, {"Ġ", "a"}, {"e", "r"}, {"Ġt", "he"}, {"o", "n"}, {"Ġ", "s"}, {"r", "e"}, {"a", "t"}};
    json mergeList = json::array();
    for (const auto& [a, b] : merges) {
        vocab[a + b] = int64_t(vocab.size());
        mergeList.push_back(a + " " + b);
    }
    const bool llama = flavour == FixtureTokenizer::Llama3;
    json model = {{"type", "BPE"},          {"dropout", nullptr},          {"unk_token", nullptr},
                  {"continuing_subword_prefix", ""}, {"end_of_word_suffix", ""}, {"fuse_unk", false},
                  {"byte_fallback", false}, {"vocab", vocab},              {"merges", mergeList}};
    json tokenizer = {{"version", "1.0"}, {"truncation", nullptr}, {"padding", nullptr}, {"normalizer", nullptr}};
    const json byteLevel = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", !llama}};
    tokenizer["decoder"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
    if (!llama) {
        tokenizer["added_tokens"] = json::array({addedToken(266, "<|endoftext|>")});
        tokenizer["pre_tokenizer"] = byteLevel;
        tokenizer["post_processor"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}};
    } else {
        model["ignore_merges"] = true;
        tokenizer["added_tokens"] = json::array({addedToken(266, "<|begin_of_text|>"), addedToken(267, "<|end_of_text|>")});
        const std::string pattern = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
        const json split = {{"type", "Split"}, {"pattern", {{"Regex", pattern}}}, {"behavior", "Isolated"}, {"invert", false}};
        tokenizer["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", json::array({split, byteLevel})}};
        const json bos = {{"SpecialToken", {{"id", "<|begin_of_text|>"}, {"type_id", 0}}}};
        tokenizer["post_processor"] = {
            {"type", "TemplateProcessing"},
            {"single", json::array({bos, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
            {"pair", json::array({bos, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}, bos, {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}})},
            {"special_tokens",
             {{"<|begin_of_text|>", {{"id", "<|begin_of_text|>"}, {"ids", {266}}, {"tokens", {"<|begin_of_text|>"}}}}}}};
    }
    tokenizer["model"] = model;
    writeJson(file, tokenizer);
}

void writeTinyGpt2(const std::filesystem::path& dir, const Gpt2FixtureOptions& o)
{
    std::filesystem::create_directories(dir);
    const int64_t d = o.dModel, mlp = 4 * d;
    writeJson(dir / "config.json",
              {{"model_type", "gpt2"}, {"architectures", {"GPT2LMHeadModel"}}, {"n_embd", d}, {"n_layer", o.nLayers},
               {"n_head", o.nHeads}, {"n_positions", o.nCtx}, {"n_ctx", o.nCtx}, {"n_inner", nullptr},
               {"vocab_size", o.vocabSize}, {"layer_norm_epsilon", 1e-5}, {"activation_function", "gelu_new"},
               {"bos_token_id", 266}, {"eos_token_id", 266}, {"torch_dtype", torchDtypeName(o.dtype)}});
    WeightMaker w(o);
    const std::string p = o.prefix ? "transformer." : "";
    w.matrix(p + "wte.weight", {o.vocabSize, d}, 0.5);
    w.matrix(p + "wpe.weight", {o.nCtx, d}, 0.2);
    for (int64_t i = 0; i < o.nLayers; ++i) {
        const auto h = p + "h." + std::to_string(i) + ".";
        w.normWeight(h + "ln_1.weight", d);
        w.bias(h + "ln_1.bias", d);
        w.matrix(h + "attn.c_attn.weight", {d, 3 * d}, 0.25);
        w.bias(h + "attn.c_attn.bias", 3 * d, 0.1);
        w.matrix(h + "attn.c_proj.weight", {d, d}, 0.15);
        w.bias(h + "attn.c_proj.bias", d);
        if (o.maskBuffers) {
            w.buffer(h + "attn.bias", at::ones({o.nCtx, o.nCtx}).tril().view({1, 1, o.nCtx, o.nCtx}));
            w.buffer(h + "attn.masked_bias", at::full({}, -1e4));
        }
        w.normWeight(h + "ln_2.weight", d);
        w.bias(h + "ln_2.bias", d);
        w.matrix(h + "mlp.c_fc.weight", {d, mlp}, 0.15);
        w.bias(h + "mlp.c_fc.bias", mlp);
        w.matrix(h + "mlp.c_proj.weight", {mlp, d}, 0.1);
        w.bias(h + "mlp.c_proj.bias", d);
    }
    w.normWeight(p + "ln_f.weight", d);
    w.bias(p + "ln_f.bias", d);
    if (o.writeLmHead)
        w.copy("lm_head.weight", p + "wte.weight");
    w.write(dir);
    writeFixtureTokenizer(dir / "tokenizer.json", FixtureTokenizer::Gpt2);
}

void writeTinyNeox(const std::filesystem::path& dir, const NeoxFixtureOptions& o)
{
    std::filesystem::create_directories(dir);
    const int64_t d = o.dModel, dh = d / o.nHeads;
    writeJson(dir / "config.json",
              {{"model_type", "gpt_neox"}, {"architectures", {"GPTNeoXForCausalLM"}}, {"hidden_size", d},
               {"num_hidden_layers", o.nLayers}, {"num_attention_heads", o.nHeads}, {"intermediate_size", o.dMlp},
               {"rotary_pct", o.rotaryPct}, {"rotary_emb_base", o.rotaryBase}, {"max_position_embeddings", o.nCtx},
               {"layer_norm_eps", 1e-5}, {"use_parallel_residual", o.parallelResidual}, {"hidden_act", "gelu"},
               {"tie_word_embeddings", o.tiedEmbeddings}, {"vocab_size", o.vocabSize}, {"bos_token_id", 266},
               {"eos_token_id", 266}, {"torch_dtype", torchDtypeName(o.dtype)}});
    WeightMaker w(o);
    w.matrix("gpt_neox.embed_in.weight", {o.vocabSize, d}, 0.5);
    for (int64_t i = 0; i < o.nLayers; ++i) {
        const auto l = "gpt_neox.layers." + std::to_string(i) + ".";
        w.normWeight(l + "input_layernorm.weight", d);
        w.bias(l + "input_layernorm.bias", d);
        w.normWeight(l + "post_attention_layernorm.weight", d);
        w.bias(l + "post_attention_layernorm.bias", d);
        w.matrix(l + "attention.query_key_value.weight", {3 * d, d}, 0.25);
        w.bias(l + "attention.query_key_value.bias", 3 * d, 0.1);
        w.matrix(l + "attention.dense.weight", {d, d}, 0.15);
        w.bias(l + "attention.dense.bias", d);
        if (o.buffers) {
            const auto rotary = int64_t(double(dh) * o.rotaryPct);
            w.buffer(l + "attention.bias", at::ones({o.nCtx, o.nCtx}, at::kBool).tril().view({1, 1, o.nCtx, o.nCtx}));
            w.buffer(l + "attention.masked_bias", at::full({}, -1e9));
            w.buffer(l + "attention.rotary_emb.inv_freq",
                     at::pow(o.rotaryBase, at::arange(0, rotary, 2, at::kFloat) / double(rotary)).reciprocal());
        }
        w.matrix(l + "mlp.dense_h_to_4h.weight", {o.dMlp, d}, 0.15);
        w.bias(l + "mlp.dense_h_to_4h.bias", o.dMlp);
        w.matrix(l + "mlp.dense_4h_to_h.weight", {d, o.dMlp}, 0.1);
        w.bias(l + "mlp.dense_4h_to_h.bias", d);
    }
    w.normWeight("gpt_neox.final_layer_norm.weight", d);
    w.bias("gpt_neox.final_layer_norm.bias", d);
    if (!o.tiedEmbeddings)
        w.matrix("embed_out.weight", {o.vocabSize, d}, 0.2);
    w.write(dir);
    writeFixtureTokenizer(dir / "tokenizer.json", FixtureTokenizer::Gpt2);
}

void writeTinyLlama(const std::filesystem::path& dir, const LlamaFixtureOptions& o)
{
    std::filesystem::create_directories(dir);
    const bool qwen2 = o.modelType == "qwen2", qwen3 = o.modelType == "qwen3";
    const int64_t d = o.dModel, dh = o.headDim > 0 ? o.headDim : d / o.nHeads, q = o.nHeads * dh, kv = o.nKvHeads * dh;
    const char* architecture = qwen3 ? "Qwen3ForCausalLM" : qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM";
    json config = {{"model_type", o.modelType}, {"architectures", {architecture}}, {"hidden_size", d},
                   {"num_hidden_layers", o.nLayers}, {"num_attention_heads", o.nHeads}, {"num_key_value_heads", o.nKvHeads},
                   {"head_dim", dh}, {"intermediate_size", o.dMlp}, {"rms_norm_eps", o.rmsNormEps},
                   {"rope_theta", o.ropeTheta}, {"max_position_embeddings", o.nCtx}, {"hidden_act", "silu"},
                   {"tie_word_embeddings", o.tiedEmbeddings}, {"attention_bias", o.attentionBias},
                   {"mlp_bias", o.mlpBias}, {"vocab_size", o.vocabSize}, {"bos_token_id", 266},
                   {"eos_token_id", {267, 266}}, {"rope_scaling", nullptr}, {"torch_dtype", torchDtypeName(o.dtype)}};
    if (o.omitHeadDim)
        config.erase("head_dim");
    if (qwen2 || qwen3) {
        // As Qwen's own configs: no mlp_bias key; qwen2 has no attention_bias key either.
        config.erase("mlp_bias");
        if (qwen2)
            config.erase("attention_bias");
        config["use_sliding_window"] = false;
        config["sliding_window"] = 4096;
        config["max_window_layers"] = o.nLayers;
    }
    if (o.llama3Scaling)
        // A short original context so that the tiny model's positions reach every frequency band.
        config["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0},
                                  {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 16}};
    writeJson(dir / "config.json", config);
    WeightMaker w(o);
    w.matrix("model.embed_tokens.weight", {o.vocabSize, d}, 0.5);
    for (int64_t i = 0; i < o.nLayers; ++i) {
        const auto l = "model.layers." + std::to_string(i) + ".";
        w.normWeight(l + "input_layernorm.weight", d);
        w.matrix(l + "self_attn.q_proj.weight", {q, d}, 0.25);
        w.matrix(l + "self_attn.k_proj.weight", {kv, d}, 0.25);
        w.matrix(l + "self_attn.v_proj.weight", {kv, d}, 0.2);
        w.matrix(l + "self_attn.o_proj.weight", {d, q}, 0.15);
        if (o.attentionBias || qwen2) {
            w.bias(l + "self_attn.q_proj.bias", q, 0.1);
            w.bias(l + "self_attn.k_proj.bias", kv, 0.1);
            w.bias(l + "self_attn.v_proj.bias", kv);
            if (!qwen2)
                w.bias(l + "self_attn.o_proj.bias", d);
        }
        if (qwen3) {
            w.normWeight(l + "self_attn.q_norm.weight", dh);
            w.normWeight(l + "self_attn.k_norm.weight", dh);
        }
        w.normWeight(l + "post_attention_layernorm.weight", d);
        w.matrix(l + "mlp.gate_proj.weight", {o.dMlp, d}, 0.15);
        w.matrix(l + "mlp.up_proj.weight", {o.dMlp, d}, 0.15);
        w.matrix(l + "mlp.down_proj.weight", {d, o.dMlp}, 0.1);
        if (o.mlpBias && !qwen2 && !qwen3) {
            w.bias(l + "mlp.gate_proj.bias", o.dMlp);
            w.bias(l + "mlp.up_proj.bias", o.dMlp);
            w.bias(l + "mlp.down_proj.bias", d);
        }
    }
    w.normWeight("model.norm.weight", d);
    if (!o.tiedEmbeddings)
        w.matrix("lm_head.weight", {o.vocabSize, d}, 0.2);
    w.write(dir);
    writeFixtureTokenizer(dir / "tokenizer.json", FixtureTokenizer::Llama3);
}

} // namespace lorsa::test
