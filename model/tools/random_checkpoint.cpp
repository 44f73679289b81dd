#include "model/tools/random_checkpoint.h"

#include "model/core/atomic_file.h"
#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "model/transformer/model_config.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace lorsa {
namespace {

using Json = nlohmann::ordered_json;
using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

/// GPT-2's printable stand-ins for the 256 byte values (bytes_to_unicode), as UTF-8 strings.
std::vector<std::string> byteLevelAlphabet()
{
    std::vector<int> printable;
    for (int b = '!'; b <= '~'; ++b)
        printable.push_back(b);
    for (int b = 0xA1; b <= 0xAC; ++b)
        printable.push_back(b);
    for (int b = 0xAE; b <= 0xFF; ++b)
        printable.push_back(b);
    std::vector<int> codepoint(256, -1);
    for (const int b : printable)
        codepoint[static_cast<size_t>(b)] = b;
    int next = 256;
    for (int b = 0; b < 256; ++b)
        if (codepoint[static_cast<size_t>(b)] < 0)
            codepoint[static_cast<size_t>(b)] = next++;
    std::vector<std::string> alphabet;
    for (const int cp : codepoint) {
        std::string utf8;
        if (cp < 0x80) {
            utf8 += static_cast<char>(cp);
        } else {
            utf8 += static_cast<char>(0xC0 | (cp >> 6));
            utf8 += static_cast<char>(0x80 | (cp & 0x3F));
        }
        alphabet.push_back(utf8);
    }
    return alphabet;
}

/// A byte-level BPE tokenizer.json without merges: one token per byte, plus <|endoftext|>.
Json byteLevelTokenizer(int64_t endOfTextId)
{
    Json vocab = Json::object();
    const auto alphabet = byteLevelAlphabet();
    for (size_t i = 0; i < alphabet.size(); ++i)
        vocab[alphabet[i]] = i;
    vocab["<|endoftext|>"] = endOfTextId;
    const std::string pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    return {{"version", "1.0"},
            {"truncation", nullptr},
            {"padding", nullptr},
            {"added_tokens", Json::array({{{"id", endOfTextId}, {"content", "<|endoftext|>"}, {"single_word", false},
                                           {"lstrip", false}, {"rstrip", false}, {"normalized", false}, {"special", true}}})},
            {"normalizer", nullptr},
            {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
            {"post_processor", nullptr},
            {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
            {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", nullptr},
                       {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false}, {"vocab", vocab},
                       {"merges", Json::array()}}}};
}

class RandomWeights {
public:
    explicit RandomWeights(uint64_t seed) : m_generator(at::detail::createCPUGenerator(seed)) {}

    at::Tensor normal(at::IntArrayRef shape, double std)
    {
        return at::normal(0.0, std, shape, m_generator);
    }
    at::Tensor around(at::IntArrayRef shape, double centre, double spread)
    {
        return normal(shape, spread) + centre;
    }

private:
    at::Generator m_generator;
};

void writeJson(const std::filesystem::path& file, const Json& json)
{
    writeFileAtomically(file, json.dump(2) + "\n");
}

NamedTensors neoxWeights(const RandomModelSpec& spec, RandomWeights& random)
{
    const auto d = spec.dModel;
    const double std = 0.02;
    NamedTensors tensors;
    tensors.emplace_back("gpt_neox.embed_in.weight", random.normal({spec.vocabSize, d}, std));
    for (int64_t layer = 0; layer < spec.nLayers; ++layer) {
        const auto prefix = "gpt_neox.layers." + std::to_string(layer) + ".";
        for (const auto* norm : {"input_layernorm", "post_attention_layernorm"}) {
            tensors.emplace_back(prefix + norm + ".weight", random.around({d}, 1.0, 0.05));
            tensors.emplace_back(prefix + norm + ".bias", random.normal({d}, 0.02));
        }
        tensors.emplace_back(prefix + "attention.query_key_value.weight", random.normal({3 * d, d}, std));
        tensors.emplace_back(prefix + "attention.query_key_value.bias", random.normal({3 * d}, std));
        tensors.emplace_back(prefix + "attention.dense.weight", random.normal({d, d}, std));
        tensors.emplace_back(prefix + "attention.dense.bias", random.normal({d}, std));
        tensors.emplace_back(prefix + "mlp.dense_h_to_4h.weight", random.normal({spec.dMlp, d}, std));
        tensors.emplace_back(prefix + "mlp.dense_h_to_4h.bias", random.normal({spec.dMlp}, std));
        tensors.emplace_back(prefix + "mlp.dense_4h_to_h.weight", random.normal({d, spec.dMlp}, std));
        tensors.emplace_back(prefix + "mlp.dense_4h_to_h.bias", random.normal({d}, std));
    }
    tensors.emplace_back("gpt_neox.final_layer_norm.weight", random.around({d}, 1.0, 0.05));
    tensors.emplace_back("gpt_neox.final_layer_norm.bias", random.normal({d}, 0.02));
    tensors.emplace_back("embed_out.weight", random.normal({spec.vocabSize, d}, std));
    return tensors;
}

Json neoxConfig(const RandomModelSpec& spec, int64_t endOfText)
{
    return {{"architectures", {"GPTNeoXForCausalLM"}},
            {"model_type", "gpt_neox"},
            {"hidden_size", spec.dModel},
            {"num_hidden_layers", spec.nLayers},
            {"num_attention_heads", spec.nHeads},
            {"intermediate_size", spec.dMlp},
            {"hidden_act", "gelu"},
            {"rotary_pct", spec.rotaryPct},
            {"rotary_emb_base", 10000},
            {"max_position_embeddings", spec.nCtx},
            {"layer_norm_eps", 1e-5},
            {"use_parallel_residual", true},
            {"tie_word_embeddings", false},
            {"vocab_size", spec.vocabSize},
            {"bos_token_id", endOfText},
            {"eos_token_id", endOfText},
            {"torch_dtype", "float32"}};
}

NamedTensors llamaWeights(const RandomModelSpec& spec, RandomWeights& random)
{
    const auto d = spec.dModel;
    const auto dHead = spec.headDim > 0 ? spec.headDim : d / spec.nHeads;
    const bool qwen3 = spec.modelType == "qwen3";
    const auto stored = spec.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
    const double std = 0.02;
    NamedTensors tensors;
    // Each tensor is cast as it is drawn, so a 1.7B model never holds float32 weights in full.
    auto add = [&](const std::string& name, at::Tensor value) { tensors.emplace_back(name, value.to(stored)); };
    add("model.embed_tokens.weight", random.normal({spec.vocabSize, d}, std));
    for (int64_t layer = 0; layer < spec.nLayers; ++layer) {
        const auto prefix = "model.layers." + std::to_string(layer) + ".";
        add(prefix + "input_layernorm.weight", random.around({d}, 1.0, 0.05));
        add(prefix + "post_attention_layernorm.weight", random.around({d}, 1.0, 0.05));
        add(prefix + "self_attn.q_proj.weight", random.normal({spec.nHeads * dHead, d}, std));
        add(prefix + "self_attn.k_proj.weight", random.normal({spec.nKvHeads * dHead, d}, std));
        add(prefix + "self_attn.v_proj.weight", random.normal({spec.nKvHeads * dHead, d}, std));
        add(prefix + "self_attn.o_proj.weight", random.normal({d, spec.nHeads * dHead}, std));
        if (qwen3) {
            add(prefix + "self_attn.q_norm.weight", random.around({dHead}, 1.0, 0.05));
            add(prefix + "self_attn.k_norm.weight", random.around({dHead}, 1.0, 0.05));
        }
        add(prefix + "mlp.gate_proj.weight", random.normal({spec.dMlp, d}, std));
        add(prefix + "mlp.up_proj.weight", random.normal({spec.dMlp, d}, std));
        add(prefix + "mlp.down_proj.weight", random.normal({d, spec.dMlp}, std));
    }
    add("model.norm.weight", random.around({d}, 1.0, 0.05));
    if (!spec.tiedEmbeddings)
        add("lm_head.weight", random.normal({spec.vocabSize, d}, std));
    return tensors;
}

Json llamaConfig(const RandomModelSpec& spec, int64_t endOfText)
{
    if (spec.modelType == "qwen3")
        return {{"architectures", {"Qwen3ForCausalLM"}},
                {"model_type", "qwen3"},
                {"hidden_size", spec.dModel},
                {"num_hidden_layers", spec.nLayers},
                {"num_attention_heads", spec.nHeads},
                {"num_key_value_heads", spec.nKvHeads},
                {"head_dim", spec.headDim > 0 ? spec.headDim : spec.dModel / spec.nHeads},
                {"intermediate_size", spec.dMlp},
                {"hidden_act", "silu"},
                {"rms_norm_eps", 1e-6},
                {"rope_theta", spec.ropeTheta},
                {"rope_scaling", nullptr},
                {"attention_bias", false},
                {"attention_dropout", 0.0},
                {"use_sliding_window", false},
                {"sliding_window", nullptr},
                {"max_window_layers", spec.nLayers},
                {"max_position_embeddings", spec.nCtx},
                {"tie_word_embeddings", spec.tiedEmbeddings},
                {"vocab_size", spec.vocabSize},
                {"bos_token_id", endOfText},
                {"eos_token_id", endOfText},
                {"torch_dtype", spec.dtype}};
    return {{"architectures", {"LlamaForCausalLM"}},
            {"model_type", "llama"},
            {"hidden_size", spec.dModel},
            {"num_hidden_layers", spec.nLayers},
            {"num_attention_heads", spec.nHeads},
            {"num_key_value_heads", spec.nKvHeads},
            {"intermediate_size", spec.dMlp},
            {"hidden_act", "silu"},
            {"rms_norm_eps", 1e-5},
            {"rope_theta", spec.ropeTheta},
            {"rope_scaling", {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0},
                              {"original_max_position_embeddings", 8192}}},
            {"max_position_embeddings", spec.nCtx},
            {"tie_word_embeddings", spec.tiedEmbeddings},
            {"vocab_size", spec.vocabSize},
            {"bos_token_id", endOfText},
            {"eos_token_id", endOfText},
            {"torch_dtype", spec.dtype}};
}

} // namespace

std::vector<std::string> randomModelPresetNames()
{
    return {"pythia-70m", "pythia-160m", "llama-3.1-8b", "llama-3.1-8b-1layer", "qwen3-1.7b"};
}

RandomModelSpec randomModelPreset(const std::string& name)
{
    RandomModelSpec spec;
    if (name == "pythia-160m")
        return spec;
    if (name == "pythia-70m") {
        spec.dModel = 512;
        spec.nLayers = 6;
        spec.nHeads = 8;
        spec.nKvHeads = 8;
        spec.dMlp = 2048;
        return spec;
    }
    if (name == "llama-3.1-8b" || name == "llama-3.1-8b-1layer") {
        spec.modelType = "llama";
        spec.dModel = 4096;
        spec.nLayers = name == "llama-3.1-8b" ? 32 : 1;
        spec.nHeads = 32;
        spec.nKvHeads = 8;
        spec.dMlp = 14336;
        spec.vocabSize = 128256;
        spec.nCtx = 131072;
        return spec;
    }
    if (name == "qwen3-1.7b") {
        // Qwen/Qwen3-1.7B's config.json: the model Llama-Scope-2's Lorsas were trained on.
        spec.modelType = "qwen3";
        spec.dModel = 2048;
        spec.nLayers = 28;
        spec.nHeads = 16;
        spec.nKvHeads = 8;
        spec.headDim = 128;
        spec.dMlp = 6144;
        spec.vocabSize = 151936;
        spec.nCtx = 40960;
        spec.ropeTheta = 1000000.0;
        spec.tiedEmbeddings = true;
        spec.dtype = "bfloat16";
        return spec;
    }
    std::string names;
    for (const auto& preset : randomModelPresetNames())
        names += (names.empty() ? "" : ", ") + preset;
    throw Error(ErrorKind::InvalidInput, "unknown model shape '" + name + "' (known: " + names + ")");
}

void writeRandomModel(const std::filesystem::path& dir, const RandomModelSpec& spec)
{
    if (spec.vocabSize < 257)
        throw Error(ErrorKind::InvalidInput, "a random model needs a vocabulary of at least 257 tokens (256 bytes + <|endoftext|>)");
    c10::InferenceMode guard;
    std::filesystem::create_directories(dir);
    RandomWeights random(spec.seed);
    const int64_t endOfText = 256;
    const bool llama = spec.modelType == "llama" || spec.modelType == "qwen3";
    if (!llama && spec.modelType != "gpt_neox")
        throw Error(ErrorKind::Unsupported, "random models are written as gpt_neox, llama or qwen3, not '" + spec.modelType + "'");
    if (spec.nLayers <= 0)
        throw Error(ErrorKind::InvalidInput, "a random model needs at least one layer");
    writeSafetensors(dir / "model.safetensors", llama ? llamaWeights(spec, random) : neoxWeights(spec, random));
    writeJson(dir / "config.json", llama ? llamaConfig(spec, endOfText) : neoxConfig(spec, endOfText));
    writeJson(dir / "tokenizer.json", byteLevelTokenizer(endOfText));
}

void writeRandomLorsa(const std::filesystem::path& dir, const std::filesystem::path& modelDir, const RandomLorsaSpec& spec)
{
    const auto model = loadModelConfig(modelDir);
    if (spec.layer < 0 || spec.layer >= model.nLayers)
        throw Error(ErrorKind::InvalidInput, "layer " + std::to_string(spec.layer) + " is not in the model (0.." +
                                                 std::to_string(model.nLayers - 1) + ")");
    const auto d = model.dModel;
    const auto nOv = static_cast<int64_t>(std::llround(static_cast<double>(d) * spec.expansionFactor));
    const auto nQk = spec.nQkHeads > 0 ? spec.nQkHeads : static_cast<int64_t>(std::llround(static_cast<double>(model.nHeads) * spec.expansionFactor));
    if (nOv <= 0 || nQk <= 0 || nOv % nQk != 0)
        throw Error(ErrorKind::InvalidInput, "n_ov_heads " + std::to_string(nOv) + " must be a positive multiple of n_qk_heads " +
                                                 std::to_string(nQk));
    const auto rotaryDim = std::min(spec.dQkHead, model.rotaryDim > 0 ? model.rotaryDim : spec.dQkHead);
    c10::InferenceMode guard;
    std::filesystem::create_directories(dir);
    RandomWeights random(spec.seed);
    const double qkStd = 1.0 / std::sqrt(static_cast<double>(d));
    NamedTensors tensors = {
        {"W_Q", random.normal({nQk, d, spec.dQkHead}, qkStd)},
        {"W_K", random.normal({nQk, d, spec.dQkHead}, qkStd)},
        {"b_Q", random.normal({nQk, spec.dQkHead}, 0.02)},
        {"b_K", random.normal({nQk, spec.dQkHead}, 0.02)},
        {"W_V", random.normal({nOv, d}, qkStd)},
        {"W_O", random.normal({nOv, d}, qkStd)},
        {"b_V", random.normal({nOv}, 0.02)},
        {"b_D", random.normal({d}, 0.02)},
    };
    if (spec.postQkNorm) {
        tensors.emplace_back("ln_q.w", random.normal({nQk, spec.dQkHead}, 0.05) + 1.0);
        tensors.emplace_back("ln_k.w", random.normal({nQk, spec.dQkHead}, 0.05) + 1.0);
    }
    writeSafetensors(dir / "sae_weights.safetensors", tensors);
    const auto layer = "blocks." + std::to_string(spec.layer);
    const Json config = {{"sae_type", "lorsa"},
                         {"d_model", d},
                         {"expansion_factor", spec.expansionFactor},
                         {"n_qk_heads", nQk},
                         {"d_qk_head", spec.dQkHead},
                         {"hook_point_in", layer + ".ln1.hook_normalized"},
                         {"hook_point_out", layer + ".hook_attn_out"},
                         {"act_fn", "topk"},
                         {"top_k", spec.topK},
                         {"use_decoder_bias", true},
                         {"norm_activation", "inference"},
                         {"sparsity_include_decoder_norm", true},
                         {"positional_embedding_type", model.rotaryDim > 0 ? "rotary" : "none"},
                         {"rotary_dim", rotaryDim},
                         {"rotary_base", model.ropeTheta},
                         {"rotary_adjacent_pairs", false},
                         {"rotary_scale", 1},
                         {"use_NTK_by_parts_rope", false},
                         {"n_ctx", std::min<int64_t>(model.nCtx, 8192)},
                         {"attn_scale", std::sqrt(static_cast<double>(spec.dQkHead))},
                         {"use_post_qk_ln", spec.postQkNorm},
                         {"normalization_type", spec.postQkNorm ? "RMS" : "LN"},
                         {"eps", 1e-6}};
    writeJson(dir / "config.json", config);
}

} // namespace lorsa
