#include "model/transformer/model_config.h"

#include "model/core/error.h"
#include "model/core/json_nesting.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

namespace lorsa {
namespace {

using nlohmann::json;

// Reads one config.json and gives typed, validated access to its keys; every message names the
// file and the key so that a user can fix the file.
class ConfigReader {
public:
    explicit ConfigReader(const std::filesystem::path& file) : m_file(file)
    {
        std::ifstream in(file, std::ios::binary);
        if (!in)
            throw Error(ErrorKind::InvalidFile, file.string() + ": cannot open (a model folder needs a config.json)");
        std::stringstream buffer;
        buffer << in.rdbuf();
        if (jsonNestingDepth(buffer.str()) > kMaxJsonNesting)
            throw Error(ErrorKind::InvalidFile, file.string() + ": JSON nested deeper than " + std::to_string(kMaxJsonNesting) + " levels");
        m_json = json::parse(buffer.str(), nullptr, false);
        if (m_json.is_discarded())
            throw Error(ErrorKind::InvalidFile, file.string() + ": not valid JSON");
        if (!m_json.is_object())
            throw Error(ErrorKind::InvalidFile, file.string() + ": expected a JSON object");
    }

    const json& root() const { return m_json; }
    bool has(const std::string& key) const { return m_json.contains(key) && !m_json.at(key).is_null(); }

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const
    {
        throw Error(ErrorKind::InvalidConfig, m_file.string() + ": '" + key + "' " + problem);
    }

    std::string string(const std::string& key, const std::string& fallback) const
    {
        if (!has(key))
            return fallback;
        if (!m_json.at(key).is_string())
            fail(key, "must be a string");
        return m_json.at(key).get<std::string>();
    }

    bool boolean(const std::string& key, bool fallback) const
    {
        if (!has(key))
            return fallback;
        if (!m_json.at(key).is_boolean())
            fail(key, "must be true or false");
        return m_json.at(key).get<bool>();
    }

    static bool isInteger(const json& value) { return value.is_number_integer() || value.is_number_unsigned(); }

    /// A size: a positive integer small enough that products of sizes cannot overflow.
    int64_t size(const std::string& key) const
    {
        if (!has(key))
            fail(key, "is missing");
        return sizeValue(key, m_json.at(key));
    }
    int64_t size(const std::string& key, int64_t fallback) const { return has(key) ? size(key) : fallback; }

    int64_t sizeValue(const std::string& key, const json& value) const
    {
        if (!isInteger(value))
            fail(key, "must be a positive integer");
        if (value.is_number_unsigned() ? value.get<uint64_t>() > kMaxSize : value.get<int64_t>() > kMaxSize)
            fail(key, "is implausibly large");
        const auto result = value.get<int64_t>();
        if (result <= 0)
            fail(key, "must be positive, got " + std::to_string(result));
        return result;
    }

    double positive(const std::string& key, double fallback) const
    {
        if (!has(key))
            return fallback;
        return positiveValue(key, m_json.at(key));
    }

    double positiveValue(const std::string& key, const json& value) const
    {
        if (!value.is_number())
            fail(key, "must be a number");
        const auto result = value.get<double>();
        if (!std::isfinite(result) || result <= 0)
            fail(key, "must be a positive number");
        return result;
    }

    std::optional<int64_t> tokenId(const json& value, const std::string& key) const
    {
        if (value.is_null())
            return std::nullopt;
        if (!isInteger(value) || value.get<int64_t>() < 0 || (value.is_number_unsigned() && value.get<uint64_t>() > kMaxSize))
            fail(key, "must be a non-negative integer token id");
        return value.get<int64_t>();
    }

private:
    static constexpr int64_t kMaxSize = int64_t(1) << 31;
    std::filesystem::path m_file;
    json m_json;
};

std::string checkedActivation(const ConfigReader& reader, const std::string& key, const std::string& fallback)
{
    const auto name = reader.string(key, fallback);
    for (const char* known : {"gelu_new", "gelu_pytorch_tanh", "gelu", "relu", "silu"})
        if (name == known)
            return name;
    throw Error(ErrorKind::Unsupported, "config.json: activation '" + name +
                                            "' is not supported (gelu_new, gelu_pytorch_tanh, gelu, relu, silu)");
}

void readGpt2(const ConfigReader& r, ModelConfig& c)
{
    c.architecture = Architecture::Gpt2;
    c.dModel = r.size("n_embd");
    c.nLayers = r.size("n_layer");
    c.nHeads = r.size("n_head");
    c.nKvHeads = c.nHeads;
    c.nCtx = r.size("n_positions");
    c.vocabSize = r.size("vocab_size");
    c.dMlp = r.size("n_inner", 4 * c.dModel);
    c.normEps = r.positive("layer_norm_epsilon", 1e-5);
    c.activation = checkedActivation(r, "activation_function", "gelu_new");
    c.norm = NormKind::LayerNorm;
    c.tiedEmbeddings = r.boolean("tie_word_embeddings", true);
    // Variants whose attention scaling differs from plain 1/sqrt(dh).
    if (!r.boolean("scale_attn_weights", true) || r.boolean("scale_attn_by_inverse_layer_idx", false))
        throw Error(ErrorKind::Unsupported, "config.json: gpt2 attention without the 1/sqrt(d_head) scale or with "
                                            "scale_attn_by_inverse_layer_idx is not supported");
    if (c.dModel % c.nHeads != 0)
        r.fail("n_head", "(" + std::to_string(c.nHeads) + ") must divide n_embd (" + std::to_string(c.dModel) + ")");
    c.dHead = c.dModel / c.nHeads;
}

void readNeox(const ConfigReader& r, ModelConfig& c)
{
    c.architecture = Architecture::GptNeox;
    c.dModel = r.size("hidden_size");
    c.nLayers = r.size("num_hidden_layers");
    c.nHeads = r.size("num_attention_heads");
    c.nKvHeads = c.nHeads;
    c.dMlp = r.size("intermediate_size");
    c.nCtx = r.size("max_position_embeddings");
    c.vocabSize = r.size("vocab_size");
    c.normEps = r.positive("layer_norm_eps", 1e-5);
    c.activation = checkedActivation(r, "hidden_act", "gelu");
    c.norm = NormKind::LayerNorm;
    c.parallelResidual = r.boolean("use_parallel_residual", true);
    c.tiedEmbeddings = r.boolean("tie_word_embeddings", false);
    c.attentionBias = r.boolean("attention_bias", true);
    c.mlpBias = true;
    if (c.dModel % c.nHeads != 0)
        r.fail("num_attention_heads",
               "(" + std::to_string(c.nHeads) + ") must divide hidden_size (" + std::to_string(c.dModel) + ")");
    c.dHead = c.dModel / c.nHeads;
    const double pct = r.has("rotary_pct") ? r.positiveValue("rotary_pct", r.root().at("rotary_pct"))
                                           : r.positive("partial_rotary_factor", 0.25);
    if (pct > 1.0)
        r.fail("rotary_pct", "must be in (0, 1]");
    // transformers: rotary_ndims = int(head_size * rotary_pct), and the rotate-half needs it even.
    c.rotaryDim = static_cast<int64_t>(static_cast<double>(c.dHead) * pct);
    if (c.rotaryDim <= 0 || c.rotaryDim % 2 != 0)
        r.fail("rotary_pct", "gives " + std::to_string(c.rotaryDim) + " rotary dimensions of " +
                                 std::to_string(c.dHead) + "; a positive even number is needed");
    c.ropeTheta = r.has("rotary_emb_base") ? r.positive("rotary_emb_base", 10000.0) : r.positive("rope_theta", 10000.0);
}

void readLlama3Scaling(const ConfigReader& r, ModelConfig& c)
{
    if (!r.has("rope_scaling"))
        return;
    const auto& scaling = r.root().at("rope_scaling");
    if (!scaling.is_object())
        r.fail("rope_scaling", "must be an object or null");
    std::string type;
    for (const char* key : {"rope_type", "type"})
        if (scaling.contains(key) && scaling.at(key).is_string()) {
            type = scaling.at(key).get<std::string>();
            break;
        }
    if (type == "default")
        return;
    if (type != "llama3")
        throw Error(ErrorKind::Unsupported, "config.json: rope_scaling type '" + type +
                                                "' is not supported (only 'llama3' and 'default')");
    auto number = [&](const char* key, double fallback) {
        return scaling.contains(key) ? r.positiveValue(std::string("rope_scaling.") + key, scaling.at(key)) : fallback;
    };
    Llama3RopeScaling s;
    s.factor = number("factor", s.factor);
    s.lowFreqFactor = number("low_freq_factor", s.lowFreqFactor);
    s.highFreqFactor = number("high_freq_factor", s.highFreqFactor);
    if (scaling.contains("original_max_position_embeddings"))
        s.originalMaxPositionEmbeddings =
            r.sizeValue("rope_scaling.original_max_position_embeddings", scaling.at("original_max_position_embeddings"));
    // The smooth interpolation divides by (high - low): equal factors leave it undefined.
    if (s.highFreqFactor <= s.lowFreqFactor)
        r.fail("rope_scaling.high_freq_factor", "must be larger than low_freq_factor");
    c.llama3Scaling = s;
}

// Sliding-window attention (Qwen2/Qwen3 `use_sliding_window`, `layer_types`) changes which keys a
// query sees; the engine computes full causal attention only, so such configs are refused.
void refuseSlidingWindow(const ConfigReader& r)
{
    if (r.boolean("use_sliding_window", false))
        throw Error(ErrorKind::Unsupported, "config.json: use_sliding_window is true; sliding-window attention is not supported");
    if (!r.has("layer_types"))
        return;
    const auto& types = r.root().at("layer_types");
    if (!types.is_array())
        r.fail("layer_types", "must be a list");
    for (const auto& type : types)
        if (!type.is_string() || type.get<std::string>() != "full_attention")
            throw Error(ErrorKind::Unsupported, "config.json: layer_types names a layer that is not \"full_attention\"; "
                                                "sliding-window attention is not supported");
}

// llama, qwen2 and qwen3 as transformers defines them (LlamaConfig, Qwen2Config, Qwen3Config):
// one block structure, differing in the projection biases, the per-head q/k norm and defaults.
void readLlamaFamily(const ConfigReader& r, ModelConfig& c)
{
    const bool qwen2 = c.modelType == "qwen2", qwen3 = c.modelType == "qwen3";
    c.architecture = Architecture::Llama;
    c.dModel = r.size("hidden_size");
    c.nLayers = r.size("num_hidden_layers");
    c.nHeads = r.size("num_attention_heads");
    c.nKvHeads = r.size("num_key_value_heads", c.nHeads);
    c.dMlp = r.size("intermediate_size");
    c.nCtx = r.size("max_position_embeddings", qwen2 || qwen3 ? 32768 : 2048);
    c.vocabSize = r.size("vocab_size");
    c.normEps = r.positive("rms_norm_eps", 1e-6);
    c.activation = checkedActivation(r, "hidden_act", "silu");
    if (c.activation != "silu")
        throw Error(ErrorKind::Unsupported, "config.json: " + c.modelType + " hidden_act '" + c.activation +
                                                "' is not supported (silu)");
    c.norm = NormKind::RmsNorm;
    c.tiedEmbeddings = r.boolean("tie_word_embeddings", false);
    if (qwen2) {
        // Qwen2Attention: q/k/v projections always carry a bias, the output projection never does.
        c.attentionBias = true;
        c.attentionOutputBias = false;
    } else {
        c.attentionBias = r.boolean("attention_bias", false);
        c.attentionOutputBias = c.attentionBias;
    }
    c.mlpBias = !qwen2 && !qwen3 && r.boolean("mlp_bias", false);
    c.qkNorm = qwen3;
    c.ropeTheta = r.positive("rope_theta", 10000.0);
    if (qwen2 || qwen3)
        refuseSlidingWindow(r);
    if (c.nHeads % c.nKvHeads != 0)
        r.fail("num_key_value_heads", "(" + std::to_string(c.nKvHeads) + ") must divide num_attention_heads (" +
                                          std::to_string(c.nHeads) + ")");
    // Qwen3Config defaults head_dim to 128 whatever the width; the others derive it.
    if (r.has("head_dim") || qwen3) {
        c.dHead = r.size("head_dim", 128);
    } else {
        if (c.dModel % c.nHeads != 0)
            r.fail("num_attention_heads",
                   "(" + std::to_string(c.nHeads) + ") must divide hidden_size (" + std::to_string(c.dModel) + ")");
        c.dHead = c.dModel / c.nHeads;
    }
    if (c.dHead % 2 != 0)
        r.fail("head_dim", "must be even for rotary embeddings, got " + std::to_string(c.dHead));
    c.rotaryDim = c.dHead;
    readLlama3Scaling(r, c);
}

void readSpecialTokens(const ConfigReader& r, ModelConfig& c)
{
    if (r.root().contains("bos_token_id"))
        c.bosTokenId = r.tokenId(r.root().at("bos_token_id"), "bos_token_id");
    if (!r.root().contains("eos_token_id"))
        return;
    const auto& eos = r.root().at("eos_token_id");
    if (eos.is_array()) {
        for (const auto& id : eos)
            if (auto value = r.tokenId(id, "eos_token_id"))
                c.eosTokenIds.push_back(*value);
    } else if (auto value = r.tokenId(eos, "eos_token_id")) {
        c.eosTokenIds.push_back(*value);
    }
}

} // namespace

ModelConfig loadModelConfig(const std::filesystem::path& dir)
{
    const ConfigReader reader(dir / "config.json");
    ModelConfig config;
    config.name = dir.filename().empty() ? dir.parent_path().filename().string() : dir.filename().string();
    config.modelType = reader.string("model_type", "");
    if (config.modelType == "gpt2")
        readGpt2(reader, config);
    else if (config.modelType == "gpt_neox")
        readNeox(reader, config);
    else if (config.modelType == "llama" || config.modelType == "qwen2" || config.modelType == "qwen3")
        readLlamaFamily(reader, config);
    else
        throw Error(ErrorKind::Unsupported, (dir / "config.json").string() + ": model_type '" + config.modelType +
                                                "' is not supported (supported: gpt2, gpt_neox, llama, qwen2, qwen3)");
    readSpecialTokens(reader, config);
    return config;
}

} // namespace lorsa
