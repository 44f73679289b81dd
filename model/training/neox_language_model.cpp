#include "model/training/neox_language_model.h"

#include "model/core/atomic_file.h"
#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "model/transformer/rotary.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace lorsa {
namespace {

constexpr double kLayerNormEps = 1e-5;

void check(bool ok, const std::string& message)
{
    if (!ok)
        throw Error(ErrorKind::InvalidConfig, "language model shape: " + message);
}

} // namespace

NeoxLanguageModel::NeoxLanguageModel(const NeoxShape& shape, uint64_t seed, at::Device device) : m_shape(shape)
{
    check(shape.vocabSize > 0 && shape.dModel > 0 && shape.nLayers > 0 && shape.nHeads > 0 && shape.dMlp > 0 && shape.nCtx > 1,
          "all sizes must be positive (and n_ctx at least 2)");
    check(shape.dModel % shape.nHeads == 0, "d_model " + std::to_string(shape.dModel) + " is not a multiple of " +
                                                std::to_string(shape.nHeads) + " heads");
    check(shape.vocabSize <= (int64_t(1) << 24) && shape.dModel <= 16384 && shape.dMlp <= 65536 && shape.nLayers <= 256 &&
              shape.nCtx <= 65536,
          "sizes are beyond what this trainer is meant for");
    const int64_t dHead = shape.dModel / shape.nHeads;
    const auto rotaryDim = static_cast<int64_t>(static_cast<double>(dHead) * shape.rotaryPct);
    check(shape.rotaryPct > 0 && shape.rotaryPct <= 1 && rotaryDim > 0 && rotaryDim % 2 == 0,
          "rotary_pct " + std::to_string(shape.rotaryPct) + " gives " + std::to_string(rotaryDim) +
              " rotary dimensions; it must give a positive even number");
    check(shape.endOfTextId >= 0 && shape.endOfTextId < shape.vocabSize, "<|endoftext|> id is outside the vocabulary");

    m_config.architecture = Architecture::GptNeox;
    m_config.modelType = "gpt_neox";
    m_config.dModel = shape.dModel;
    m_config.nLayers = shape.nLayers;
    m_config.nHeads = shape.nHeads;
    m_config.nKvHeads = shape.nHeads;
    m_config.dHead = dHead;
    m_config.dMlp = shape.dMlp;
    m_config.vocabSize = shape.vocabSize;
    m_config.nCtx = shape.nCtx;
    m_config.normEps = kLayerNormEps;
    m_config.activation = "gelu";
    m_config.rotaryDim = rotaryDim;
    m_config.ropeTheta = shape.rotaryBase;
    m_config.parallelResidual = true;
    m_config.bosTokenId = shape.endOfTextId;
    m_config.eosTokenIds = {shape.endOfTextId};

    auto generator = at::detail::createCPUGenerator(seed);
    const auto d = shape.dModel;
    // Embeddings at GPT-2's 0.02. Projections reading a normalised (unit-variance) vector get
    // std 1/sqrt(fan_in), so that q.k/sqrt(d_head) starts with variance ~1: with 0.02 at this
    // width the attention starts uniform with vanishing gradients and induction heads take
    // many times longer to form. Output projections are further scaled by 1/sqrt(2 n_layers).
    const double std = 0.02;
    const double inStd = 1.0 / std::sqrt(static_cast<double>(d));
    const double depth = std::sqrt(2.0 * static_cast<double>(shape.nLayers));
    // Drawn on the CPU from one generator so that a seed gives the same model on every device.
    auto param = [&](at::Tensor t) { return t.to(device).set_requires_grad(true); };
    auto normal = [&](at::IntArrayRef size, double s) { return param(at::normal(0.0, s, size, generator)); };
    auto zeros = [&](at::IntArrayRef size) { return param(at::zeros(size)); };
    auto ones = [&](at::IntArrayRef size) { return param(at::ones(size)); };
    m_embedIn = normal({shape.vocabSize, d}, std);
    for (int64_t layer = 0; layer < shape.nLayers; ++layer) {
        Block b;
        b.ln1Weight = ones({d});
        b.ln1Bias = zeros({d});
        b.ln2Weight = ones({d});
        b.ln2Bias = zeros({d});
        b.qkvWeight = normal({3 * d, d}, inStd);
        b.qkvBias = zeros({3 * d});
        b.denseWeight = normal({d, d}, inStd / depth);
        b.denseBias = zeros({d});
        b.mlpInWeight = normal({shape.dMlp, d}, inStd);
        b.mlpInBias = zeros({shape.dMlp});
        b.mlpOutWeight = normal({d, shape.dMlp}, 1.0 / std::sqrt(static_cast<double>(shape.dMlp)) / depth);
        b.mlpOutBias = zeros({d});
        m_blocks.push_back(std::move(b));
    }
    m_finalWeight = ones({d});
    m_finalBias = zeros({d});
    m_embedOut = normal({shape.vocabSize, d}, std);
}

at::Tensor NeoxLanguageModel::attention(const Block& b, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const
{
    const int64_t B = x.size(0), T = x.size(1), H = m_shape.nHeads, dh = m_config.dHead;
    const auto qkv = at::linear(x, b.qkvWeight, b.qkvBias).view({B, T, H, 3, dh});
    const RotaryTables tables{cos, sin};
    const auto q = applyRotary(qkv.select(3, 0), tables).transpose(1, 2);  // [B,H,T,dh]
    const auto k = applyRotary(qkv.select(3, 1), tables).transpose(1, 2);  // [B,H,T,dh]
    const auto v = qkv.select(3, 2).transpose(1, 2);                       // [B,H,T,dh]
    auto scores = at::matmul(q, k.transpose(-1, -2)) * (1.0 / std::sqrt(double(dh)));  // [B,H,T,T]
    const auto future = at::ones({T, T}, at::TensorOptions().dtype(at::kBool).device(x.device())).triu(1);
    scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
    const auto z = at::matmul(at::softmax(scores, -1), v);  // [B,H,T,dh]
    return at::linear(z.transpose(1, 2).reshape({B, T, H * dh}), b.denseWeight, b.denseBias);
}

at::Tensor NeoxLanguageModel::forward(const at::Tensor& tokens) const
{
    if (tokens.dim() != 2 || tokens.scalar_type() != at::kLong)
        throw Error(ErrorKind::InvalidInput, "language model input must be int64 tokens [B,T]");
    const int64_t B = tokens.size(0), T = tokens.size(1), d = m_shape.dModel;
    if (T < 1 || T > m_shape.nCtx)
        throw Error(ErrorKind::InvalidInput, "sequence of " + std::to_string(T) + " tokens does not fit the context of " +
                                                 std::to_string(m_shape.nCtx));
    const auto flat = tokens.reshape({-1}).to(m_embedIn.device());
    if (flat.numel() > 0 && (flat.min().item<int64_t>() < 0 || flat.max().item<int64_t>() >= m_shape.vocabSize))
        throw Error(ErrorKind::InvalidInput, "token id outside the vocabulary of " + std::to_string(m_shape.vocabSize));
    const auto tables = rotaryTables(m_config, T, m_embedIn.device(), at::kFloat);
    auto x = m_embedIn.index_select(0, flat).view({B, T, d});
    for (const auto& b : m_blocks) {
        const auto attn = attention(b, at::layer_norm(x, {d}, b.ln1Weight, b.ln1Bias, kLayerNormEps), tables.cos, tables.sin);
        const auto hidden = at::gelu(at::linear(at::layer_norm(x, {d}, b.ln2Weight, b.ln2Bias, kLayerNormEps), b.mlpInWeight, b.mlpInBias));
        // Parallel residual, as gpt_neox's use_parallel_residual.
        x = x + attn + at::linear(hidden, b.mlpOutWeight, b.mlpOutBias);
    }
    return at::linear(at::layer_norm(x, {d}, m_finalWeight, m_finalBias, kLayerNormEps), m_embedOut);
}

at::Tensor NeoxLanguageModel::loss(const at::Tensor& tokens) const
{
    const int64_t T = tokens.size(1);
    if (T < 2)
        throw Error(ErrorKind::InvalidInput, "the loss needs rows of at least 2 tokens");
    const auto input = tokens.narrow(1, 0, T - 1);
    const auto logits = forward(input);  // [B,T-1,V]
    const auto targets = tokens.narrow(1, 1, T - 1).reshape({-1}).to(logits.device());
    return at::cross_entropy_loss(logits.reshape({-1, m_shape.vocabSize}), targets);
}

std::vector<std::pair<std::string, at::Tensor>> NeoxLanguageModel::named() const
{
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    tensors.emplace_back("gpt_neox.embed_in.weight", m_embedIn);
    for (size_t layer = 0; layer < m_blocks.size(); ++layer) {
        const auto& b = m_blocks[layer];
        const auto prefix = "gpt_neox.layers." + std::to_string(layer) + ".";
        tensors.emplace_back(prefix + "input_layernorm.weight", b.ln1Weight);
        tensors.emplace_back(prefix + "input_layernorm.bias", b.ln1Bias);
        tensors.emplace_back(prefix + "post_attention_layernorm.weight", b.ln2Weight);
        tensors.emplace_back(prefix + "post_attention_layernorm.bias", b.ln2Bias);
        tensors.emplace_back(prefix + "attention.query_key_value.weight", b.qkvWeight);
        tensors.emplace_back(prefix + "attention.query_key_value.bias", b.qkvBias);
        tensors.emplace_back(prefix + "attention.dense.weight", b.denseWeight);
        tensors.emplace_back(prefix + "attention.dense.bias", b.denseBias);
        tensors.emplace_back(prefix + "mlp.dense_h_to_4h.weight", b.mlpInWeight);
        tensors.emplace_back(prefix + "mlp.dense_h_to_4h.bias", b.mlpInBias);
        tensors.emplace_back(prefix + "mlp.dense_4h_to_h.weight", b.mlpOutWeight);
        tensors.emplace_back(prefix + "mlp.dense_4h_to_h.bias", b.mlpOutBias);
    }
    tensors.emplace_back("gpt_neox.final_layer_norm.weight", m_finalWeight);
    tensors.emplace_back("gpt_neox.final_layer_norm.bias", m_finalBias);
    tensors.emplace_back("embed_out.weight", m_embedOut);
    return tensors;
}

std::vector<at::Tensor> NeoxLanguageModel::parameters() const
{
    std::vector<at::Tensor> out;
    for (const auto& [name, tensor] : named())
        out.push_back(tensor);
    return out;
}

int64_t NeoxLanguageModel::parameterCount() const
{
    int64_t count = 0;
    for (const auto& [name, tensor] : named())
        count += tensor.numel();
    return count;
}

void NeoxLanguageModel::save(const std::filesystem::path& dir) const
{
    std::filesystem::create_directories(dir);
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    {
        at::NoGradGuard noGrad;
        for (const auto& [name, tensor] : named())
            tensors.emplace_back(name, tensor.detach().to(at::kCPU, at::kFloat).contiguous());
    }
    writeSafetensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
    const nlohmann::ordered_json config = {{"architectures", {"GPTNeoXForCausalLM"}},
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
                                           {"tie_word_embeddings", false},
                                           {"vocab_size", m_shape.vocabSize},
                                           {"bos_token_id", m_shape.endOfTextId},
                                           {"eos_token_id", m_shape.endOfTextId},
                                           {"torch_dtype", "float32"}};
    writeFileAtomically(dir / "config.json", config.dump(2) + "\n");
}

} // namespace lorsa
