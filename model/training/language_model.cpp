#include "model/training/language_model.h"

#include "model/core/atomic_file.h"
#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "model/transformer/rotary.h"

#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <sstream>

namespace lorsa {
namespace {

constexpr double kLayerNormEps = 1e-5;

void check(bool ok, const std::string& message)
{
    if (!ok)
        throw Error(ErrorKind::InvalidConfig, "language model shape: " + message);
}

/// gpt2's Conv1D layers store their weight as [in, out], the transpose of what is trained.
bool isGpt2Conv1dWeight(const std::string& name)
{
    return name.starts_with("transformer.h.") && name.ends_with(".weight") && name.find(".ln_") == std::string::npos;
}

} // namespace

Architecture trainableArchitecture(const std::string& modelType)
{
    if (modelType == "gpt2")
        return Architecture::Gpt2;
    if (modelType == "gpt_neox")
        return Architecture::GptNeox;
    throw Error(ErrorKind::InvalidInput, "the language-model trainer writes gpt2 or gpt_neox models, not '" + modelType + "'");
}

LanguageModel::LanguageModel(const LanguageModelShape& shape, uint64_t seed, at::Device device) : m_shape(shape)
{
    check(shape.architecture == Architecture::Gpt2 || shape.architecture == Architecture::GptNeox,
          "the trainer writes gpt2 or gpt_neox models");
    check(shape.vocabSize > 0 && shape.dModel > 0 && shape.nLayers > 0 && shape.nHeads > 0 && shape.dMlp > 0 && shape.nCtx > 1,
          "all sizes must be positive (and n_ctx at least 2)");
    check(shape.dModel % shape.nHeads == 0, "d_model " + std::to_string(shape.dModel) + " is not a multiple of " +
                                                std::to_string(shape.nHeads) + " heads");
    check(shape.vocabSize <= (int64_t(1) << 24) && shape.dModel <= 16384 && shape.dMlp <= 65536 && shape.nLayers <= 256 &&
              shape.nCtx <= 65536,
          "sizes are beyond what this trainer is meant for");
    const int64_t dHead = shape.dModel / shape.nHeads;
    check(shape.endOfTextId >= 0 && shape.endOfTextId < shape.vocabSize, "<|endoftext|> id is outside the vocabulary");

    m_config.architecture = shape.architecture;
    m_config.modelType = isGpt2() ? "gpt2" : "gpt_neox";
    m_config.dModel = shape.dModel;
    m_config.nLayers = shape.nLayers;
    m_config.nHeads = shape.nHeads;
    m_config.nKvHeads = shape.nHeads;
    m_config.dHead = dHead;
    m_config.dMlp = shape.dMlp;
    m_config.vocabSize = shape.vocabSize;
    m_config.nCtx = shape.nCtx;
    m_config.normEps = kLayerNormEps;
    m_config.activation = isGpt2() ? "gelu_new" : "gelu";
    m_config.parallelResidual = !isGpt2();
    m_config.bosTokenId = shape.endOfTextId;
    m_config.eosTokenIds = {shape.endOfTextId};
    if (!isGpt2()) {
        const auto rotaryDim = static_cast<int64_t>(static_cast<double>(dHead) * shape.rotaryPct);
        check(shape.rotaryPct > 0 && shape.rotaryPct <= 1 && rotaryDim > 0 && rotaryDim % 2 == 0,
              "rotary_pct " + std::to_string(shape.rotaryPct) + " gives " + std::to_string(rotaryDim) +
                  " rotary dimensions; it must give a positive even number");
        m_config.rotaryDim = rotaryDim;
        m_config.ropeTheta = shape.rotaryBase;
    }

    auto generator = at::detail::createCPUGenerator(seed);
    const auto d = shape.dModel;
    // Embeddings at GPT-2's 0.02 (positions 0.01). Projections reading a normalised
    // (unit-variance) vector get std 1/sqrt(fan_in), so that q.k/sqrt(d_head) starts with
    // variance ~1: with 0.02 at this width the attention starts uniform with vanishing gradients
    // and induction heads take many times longer to form. Output projections are further scaled
    // by 1/sqrt(2 n_layers).
    const double std = 0.02;
    const double inStd = 1.0 / std::sqrt(static_cast<double>(d));
    const double depth = std::sqrt(2.0 * static_cast<double>(shape.nLayers));
    // Drawn on the CPU from one generator so that a seed gives the same model on every device.
    auto param = [&](at::Tensor t) { return t.to(device).set_requires_grad(true); };
    auto normal = [&](at::IntArrayRef size, double s) { return param(at::normal(0.0, s, size, generator)); };
    auto zeros = [&](at::IntArrayRef size) { return param(at::zeros(size)); };
    auto ones = [&](at::IntArrayRef size) { return param(at::ones(size)); };
    m_tokenEmbedding = normal({shape.vocabSize, d}, std);
    if (isGpt2())
        m_positionEmbedding = normal({shape.nCtx, d}, 0.01);
    for (int64_t layer = 0; layer < shape.nLayers; ++layer) {
        Block b;
        b.ln1Weight = ones({d});
        b.ln1Bias = zeros({d});
        b.ln2Weight = ones({d});
        b.ln2Bias = zeros({d});
        b.qkvWeight = normal({3 * d, d}, inStd);
        b.qkvBias = zeros({3 * d});
        b.outWeight = normal({d, d}, inStd / depth);
        b.outBias = zeros({d});
        b.mlpInWeight = normal({shape.dMlp, d}, inStd);
        b.mlpInBias = zeros({shape.dMlp});
        b.mlpOutWeight = normal({d, shape.dMlp}, 1.0 / std::sqrt(static_cast<double>(shape.dMlp)) / depth);
        b.mlpOutBias = zeros({d});
        m_blocks.push_back(std::move(b));
    }
    m_finalWeight = ones({d});
    m_finalBias = zeros({d});
    m_unembedding = normal({shape.vocabSize, d}, std);
}

at::Tensor LanguageModel::attention(const Block& b, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const
{
    const int64_t B = x.size(0), T = x.size(1), H = m_shape.nHeads, dh = m_config.dHead;
    // gpt2 keeps q | k | v blocks, gpt_neox interleaves them per head.
    const auto qkv = isGpt2() ? at::linear(x, b.qkvWeight, b.qkvBias).view({B, T, 3, H, dh}).permute({0, 1, 3, 2, 4})
                              : at::linear(x, b.qkvWeight, b.qkvBias).view({B, T, H, 3, dh});  // [B,T,H,3,dh]
    const RotaryTables tables{cos, sin};
    const auto position = [&](const at::Tensor& t) { return isGpt2() ? t : applyRotary(t, tables); };
    const auto q = position(qkv.select(3, 0)).transpose(1, 2);  // [B,H,T,dh]
    const auto k = position(qkv.select(3, 1)).transpose(1, 2);  // [B,H,T,dh]
    const auto v = qkv.select(3, 2).transpose(1, 2);             // [B,H,T,dh]
    auto scores = at::matmul(q, k.transpose(-1, -2)) * (1.0 / std::sqrt(double(dh)));  // [B,H,T,T]
    const auto future = at::ones({T, T}, at::TensorOptions().dtype(at::kBool).device(x.device())).triu(1);
    scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
    const auto z = at::matmul(at::softmax(scores, -1), v);  // [B,H,T,dh]
    return at::linear(z.transpose(1, 2).reshape({B, T, H * dh}), b.outWeight, b.outBias);
}

at::Tensor LanguageModel::mlp(const Block& b, const at::Tensor& x) const
{
    const auto hidden = at::linear(at::layer_norm(x, {m_shape.dModel}, b.ln2Weight, b.ln2Bias, kLayerNormEps), b.mlpInWeight, b.mlpInBias);
    // gelu_new (GPT-2's tanh approximation) or the exact gelu of gpt_neox configs.
    return at::linear(at::gelu(hidden, isGpt2() ? "tanh" : "none"), b.mlpOutWeight, b.mlpOutBias);
}

at::Tensor LanguageModel::forward(const at::Tensor& tokens) const
{
    if (tokens.dim() != 2 || tokens.scalar_type() != at::kLong)
        throw Error(ErrorKind::InvalidInput, "language model input must be int64 tokens [B,T]");
    const int64_t B = tokens.size(0), T = tokens.size(1), d = m_shape.dModel;
    if (T < 1 || T > m_shape.nCtx)
        throw Error(ErrorKind::InvalidInput, "sequence of " + std::to_string(T) + " tokens does not fit the context of " +
                                                 std::to_string(m_shape.nCtx));
    const auto flat = tokens.reshape({-1}).to(m_tokenEmbedding.device());
    if (flat.numel() > 0 && (flat.min().item<int64_t>() < 0 || flat.max().item<int64_t>() >= m_shape.vocabSize))
        throw Error(ErrorKind::InvalidInput, "token id outside the vocabulary of " + std::to_string(m_shape.vocabSize));
    RotaryTables tables;
    if (!isGpt2())
        tables = rotaryTables(m_config, T, m_tokenEmbedding.device(), at::kFloat);
    auto x = m_tokenEmbedding.index_select(0, flat).view({B, T, d});
    if (isGpt2())
        x = x + m_positionEmbedding.narrow(0, 0, T);
    for (const auto& b : m_blocks) {
        const auto attn = attention(b, at::layer_norm(x, {d}, b.ln1Weight, b.ln1Bias, kLayerNormEps), tables.cos, tables.sin);
        if (isGpt2()) {
            x = x + attn;
            x = x + mlp(b, x);
        } else {
            x = x + attn + mlp(b, x);  // use_parallel_residual
        }
    }
    return at::linear(at::layer_norm(x, {d}, m_finalWeight, m_finalBias, kLayerNormEps), m_unembedding);
}

at::Tensor LanguageModel::loss(const at::Tensor& tokens) const
{
    const int64_t T = tokens.size(1);
    if (T < 2)
        throw Error(ErrorKind::InvalidInput, "the loss needs rows of at least 2 tokens");
    const auto input = tokens.narrow(1, 0, T - 1);
    const auto logits = forward(input);  // [B,T-1,V]
    const auto targets = tokens.narrow(1, 1, T - 1).reshape({-1}).to(logits.device());
    return at::cross_entropy_loss(logits.reshape({-1, m_shape.vocabSize}), targets);
}

std::vector<std::pair<std::string, at::Tensor>> LanguageModel::named() const
{
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    if (isGpt2()) {
        tensors.emplace_back("transformer.wte.weight", m_tokenEmbedding);
        tensors.emplace_back("transformer.wpe.weight", m_positionEmbedding);
    } else {
        tensors.emplace_back("gpt_neox.embed_in.weight", m_tokenEmbedding);
    }
    for (size_t layer = 0; layer < m_blocks.size(); ++layer) {
        const auto& b = m_blocks[layer];
        const auto n = std::to_string(layer);
        if (isGpt2()) {
            const auto prefix = "transformer.h." + n + ".";
            tensors.emplace_back(prefix + "ln_1.weight", b.ln1Weight);
            tensors.emplace_back(prefix + "ln_1.bias", b.ln1Bias);
            tensors.emplace_back(prefix + "attn.c_attn.weight", b.qkvWeight);
            tensors.emplace_back(prefix + "attn.c_attn.bias", b.qkvBias);
            tensors.emplace_back(prefix + "attn.c_proj.weight", b.outWeight);
            tensors.emplace_back(prefix + "attn.c_proj.bias", b.outBias);
            tensors.emplace_back(prefix + "ln_2.weight", b.ln2Weight);
            tensors.emplace_back(prefix + "ln_2.bias", b.ln2Bias);
            tensors.emplace_back(prefix + "mlp.c_fc.weight", b.mlpInWeight);
            tensors.emplace_back(prefix + "mlp.c_fc.bias", b.mlpInBias);
            tensors.emplace_back(prefix + "mlp.c_proj.weight", b.mlpOutWeight);
            tensors.emplace_back(prefix + "mlp.c_proj.bias", b.mlpOutBias);
        } else {
            const auto prefix = "gpt_neox.layers." + n + ".";
            tensors.emplace_back(prefix + "input_layernorm.weight", b.ln1Weight);
            tensors.emplace_back(prefix + "input_layernorm.bias", b.ln1Bias);
            tensors.emplace_back(prefix + "post_attention_layernorm.weight", b.ln2Weight);
            tensors.emplace_back(prefix + "post_attention_layernorm.bias", b.ln2Bias);
            tensors.emplace_back(prefix + "attention.query_key_value.weight", b.qkvWeight);
            tensors.emplace_back(prefix + "attention.query_key_value.bias", b.qkvBias);
            tensors.emplace_back(prefix + "attention.dense.weight", b.outWeight);
            tensors.emplace_back(prefix + "attention.dense.bias", b.outBias);
            tensors.emplace_back(prefix + "mlp.dense_h_to_4h.weight", b.mlpInWeight);
            tensors.emplace_back(prefix + "mlp.dense_h_to_4h.bias", b.mlpInBias);
            tensors.emplace_back(prefix + "mlp.dense_4h_to_h.weight", b.mlpOutWeight);
            tensors.emplace_back(prefix + "mlp.dense_4h_to_h.bias", b.mlpOutBias);
        }
    }
    const std::string final = isGpt2() ? "transformer.ln_f." : "gpt_neox.final_layer_norm.";
    tensors.emplace_back(final + "weight", m_finalWeight);
    tensors.emplace_back(final + "bias", m_finalBias);
    tensors.emplace_back(isGpt2() ? "lm_head.weight" : "embed_out.weight", m_unembedding);
    return tensors;
}

std::vector<std::pair<std::string, at::Tensor>> LanguageModel::savedTensors() const
{
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    c10::NoGradGuard noGrad;
    for (const auto& [name, tensor] : named()) {
        auto t = tensor.detach().to(at::kCPU, at::kFloat);
        if (isGpt2() && isGpt2Conv1dWeight(name))
            t = t.t();
        tensors.emplace_back(name, t.contiguous());
    }
    return tensors;
}

void LanguageModel::continueFrom(const std::filesystem::path& modelDir)
{
    const auto source = openSafetensors(modelDir / "model.safetensors");
    const auto file = source->path().string();
    c10::NoGradGuard noGrad;
    // Every tensor is read and checked before any parameter changes: a refused folder leaves the
    // model as it was.
    const auto parameters = named();
    std::vector<at::Tensor> saved;
    for (const auto& [name, live] : parameters) {
        if (!source->contains(name))
            throw Error(ErrorKind::InvalidFile, file + ": has no tensor '" + name + "'; continue from a model this trainer wrote");
        auto tensor = source->load(name).to(at::kFloat);
        if (isGpt2() && isGpt2Conv1dWeight(name) && tensor.dim() == 2)
            tensor = tensor.t();
        const bool positions = name == "transformer.wpe.weight";
        const bool fits = positions ? tensor.dim() == 2 && tensor.size(1) == live.size(1) && tensor.size(0) <= live.size(0)
                                    : tensor.sizes() == live.sizes();
        if (!fits) {
            std::ostringstream shapes;
            shapes << tensor.sizes() << " where this model has " << live.sizes();
            throw Error(ErrorKind::InvalidFile, file + ": '" + name + "' is " + shapes.str() +
                                                    "; continue with the saved model's shape (only n_ctx may grow)");
        }
        saved.push_back(std::move(tensor));
    }
    for (size_t i = 0; i < parameters.size(); ++i) {
        const at::Tensor& live = parameters[i].second;
        const at::Tensor& learnedRows = saved[i];
        live.narrow(0, 0, learnedRows.size(0)).copy_(learnedRows);
        // New positions repeat the second half of the learned ones (the first positions are
        // special: BOS, the attention sink). A previous-token head then finds p-1 at once, up to
        // the repeats further back, which training separates: the induction circuit survived at
        // 512 positions where fresh positions had broken it (docs/DEMO.md).
        const int64_t learned = learnedRows.size(0), half = learned / 2;
        for (int64_t p = learned; p < live.size(0); ++p)
            live[p].copy_(learnedRows[half + (p - half) % (learned - half)]);
    }
}

std::vector<at::Tensor> LanguageModel::parameters() const
{
    std::vector<at::Tensor> out;
    for (const auto& [name, tensor] : named())
        out.push_back(tensor);
    return out;
}

int64_t LanguageModel::parameterCount() const
{
    int64_t count = 0;
    for (const auto& [name, tensor] : named())
        count += tensor.numel();
    return count;
}

std::string LanguageModel::configJson() const
{
    nlohmann::ordered_json config;
    if (isGpt2()) {
        config = {{"architectures", {"GPT2LMHeadModel"}},
                  {"model_type", "gpt2"},
                  {"n_embd", m_shape.dModel},
                  {"n_layer", m_shape.nLayers},
                  {"n_head", m_shape.nHeads},
                  {"n_inner", m_shape.dMlp},
                  {"n_positions", m_shape.nCtx},
                  {"n_ctx", m_shape.nCtx},
                  {"activation_function", "gelu_new"},
                  {"layer_norm_epsilon", kLayerNormEps},
                  {"scale_attn_weights", true},
                  {"tie_word_embeddings", false}};
    } else {
        config = {{"architectures", {"GPTNeoXForCausalLM"}},
                  {"model_type", "gpt_neox"},
                  {"hidden_size", m_shape.dModel},
                  {"num_hidden_layers", m_shape.nLayers},
                  {"num_attention_heads", m_shape.nHeads},
                  {"intermediate_size", m_shape.dMlp},
                  {"hidden_act", "gelu"},
                  {"rotary_pct", m_shape.rotaryPct},
                  {"rotary_emb_base", m_shape.rotaryBase},
                  {"max_position_embeddings", m_shape.nCtx},
                  {"layer_norm_eps", kLayerNormEps},
                  {"use_parallel_residual", true},
                  {"tie_word_embeddings", false}};
    }
    config["vocab_size"] = m_shape.vocabSize;
    config["bos_token_id"] = m_shape.endOfTextId;
    config["eos_token_id"] = m_shape.endOfTextId;
    config["torch_dtype"] = "float32";
    return config.dump(2) + "\n";
}

void LanguageModel::save(const std::filesystem::path& dir) const
{
    std::filesystem::create_directories(dir);
    writeSafetensors(dir / "model.safetensors", savedTensors(), {{"format", "pt"}});
    writeFileAtomically(dir / "config.json", configJson());
}

} // namespace lorsa
