#include "model/transformer/transformer.h"

#include "model/core/error.h"
#include "model/core/fused_attention.h"
#include "model/core/weight_matmul.h"
#include "model/transformer/rotary.h"
#include "model/transformer/transformer_weights.h"

#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

// Budget for one chunk of attention scores when the full pattern is not needed.
constexpr int64_t kAttentionChunkBytes = int64_t(256) << 20;

// The state of one forward pass: where hooks go, and the shapes they must keep.
struct Pass {
    const ForwardOptions& options;
    ActivationCache& cache;
    at::Device device;
    at::ScalarType dtype;
    int64_t cachedPositions = 0;  // positions before this pass's tokens (KeyValueCache::length)
    // Keys and values including this pass's positions, per block; committed when the pass completes.
    std::vector<at::Tensor>* grownKeys = nullptr;
    std::vector<at::Tensor>* grownValues = nullptr;

    // Gives the intervention a chance to replace the activation, then captures what flows on.
    void hook(const std::string& name, at::Tensor& activation) const
    {
        if (options.intervene) {
            const auto sizes = activation.sizes().vec();
            options.intervene(name, activation);
            if (!activation.defined() || activation.sizes().vec() != sizes)
                throw Error(ErrorKind::InvalidInput, "intervention on '" + name + "' changed the activation's shape");
            activation = activation.to(device, dtype);
        }
        if (options.capture.wants(name))
            cache[name] = activation;
    }
    bool wanted(const std::string& name) const { return options.capture.wants(name); }
    void checkCancelled() const
    {
        if (options.cancelled && options.cancelled())
            throw Error(ErrorKind::Cancelled, "forward pass cancelled");
    }
};

class HfTransformer final : public Transformer {
public:
    HfTransformer(ModelConfig config, TransformerWeights weights, at::Device device, at::ScalarType dtype)
        : m_config(std::move(config)), m_weights(std::move(weights)), m_device(device), m_dtype(dtype)
    {
    }

    const ModelConfig& config() const override { return m_config; }
    at::Device device() const override { return m_device; }
    at::ScalarType dtype() const override { return m_dtype; }
    at::Tensor unembedding() const override { return m_weights.unembedding; }
    at::Tensor embedding() const override { return m_weights.tokenEmbedding; }
    int64_t parameterCount() const override { return m_weights.parameterCount; }

    at::Tensor applyLn1Affine(int64_t layer, const at::Tensor& normalized) const override
    {
        if (layer < 0 || layer >= m_config.nLayers)
            throw Error(ErrorKind::InvalidInput, "layer " + std::to_string(layer) + " is out of range (model has " +
                                                     std::to_string(m_config.nLayers) + " layers)");
        return applyAffine(m_weights.blocks[size_t(layer)].ln1, normalized.to(m_device, m_dtype));
    }

    at::Tensor forward(const at::Tensor& tokens, ActivationCache& cache, const ForwardOptions& options) const override
    {
        c10::NoGradGuard noGrad;
        KeyValueCache* keyValues = options.keyValues;
        const int64_t cached = keyValues ? keyValues->length : 0;
        const auto ids = checkedTokens(tokens, cached);
        if (options.lastLayer && (*options.lastLayer < 0 || *options.lastLayer >= m_config.nLayers))
            throw Error(ErrorKind::InvalidInput, "lastLayer " + std::to_string(*options.lastLayer) +
                                                     " is out of range (model has " + std::to_string(m_config.nLayers) +
                                                     " layers)");
        if (keyValues && options.lastLayer && *options.lastLayer != m_config.nLayers - 1)
            throw Error(ErrorKind::InvalidInput, "a key/value cache grows only with passes through every block");
        const int64_t B = ids.size(0), T = ids.size(1);
        const int64_t first = options.resumeFrom ? options.resumeFrom->layer : 0;
        std::vector<at::Tensor> grownKeys, grownValues;
        Pass pass{options, cache, m_device, m_dtype, cached};
        if (keyValues) {
            checkKeyValueCache(*keyValues, first, B);
            grownKeys = keyValues->keys;
            grownValues = keyValues->values;
            grownKeys.resize(size_t(m_config.nLayers));
            grownValues.resize(size_t(m_config.nLayers));
            pass.grownKeys = &grownKeys;
            pass.grownValues = &grownValues;
        }

        const int64_t last = options.lastLayer.value_or(m_config.nLayers - 1);
        at::Tensor resid = options.resumeFrom ? resumedResidual(*options.resumeFrom, last, B, T) : embed(pass, ids);
        RotaryTables rotary;
        if (m_config.rotaryDim > 0)
            rotary = rotaryTables(m_config, T, m_device, m_dtype, cached);

        for (int64_t layer = first; layer <= last; ++layer) {
            pass.checkCancelled();
            resid = block(pass, layer, resid, rotary);
        }
        at::Tensor logits;
        if (!options.lastLayer) {
            pass.checkCancelled();
            auto normalized = normalize(resid);
            pass.hook("ln_final.hook_normalized", normalized);
            logits = matmulWeight(applyAffine(m_weights.lnFinal, normalized), m_weights.unembedding);  // [B,T,V]
            pass.hook("logits", logits);
        }
        if (keyValues) {
            keyValues->keys = std::move(grownKeys);
            keyValues->values = std::move(grownValues);
            keyValues->length = cached + T;
        }
        return logits;
    }

private:
    at::Tensor checkedTokens(const at::Tensor& tokens, int64_t cached) const
    {
        if (!tokens.defined() || tokens.dim() != 2)
            throw Error(ErrorKind::InvalidInput, "tokens must be a [batch, positions] tensor");
        if (at::isFloatingType(tokens.scalar_type()) || at::isComplexType(tokens.scalar_type()) ||
            tokens.scalar_type() == at::kBool)
            throw Error(ErrorKind::InvalidInput, "tokens must be integer ids");
        const int64_t B = tokens.size(0), T = tokens.size(1);
        if (B == 0 || T == 0)
            throw Error(ErrorKind::InvalidInput, "no tokens to run");
        if (cached + T > m_config.nCtx)
            throw Error(ErrorKind::InvalidInput, std::to_string(cached + T) + " tokens exceed the model's context of " +
                                                     std::to_string(m_config.nCtx));
        auto ids = tokens.to(at::kLong);
        const auto low = ids.min().item<int64_t>(), high = ids.max().item<int64_t>();
        if (low < 0 || high >= m_config.vocabSize)
            throw Error(ErrorKind::InvalidInput, "token id " + std::to_string(low < 0 ? low : high) +
                                                     " is outside the model's vocabulary [0, " +
                                                     std::to_string(m_config.vocabSize) + ")");
        return ids.to(m_device);
    }

    // Every block a pass runs must hold exactly the cache's positions of the same batch.
    void checkKeyValueCache(const KeyValueCache& keyValues, int64_t firstLayer, int64_t batch) const
    {
        if (keyValues.length < 0 || keyValues.keys.size() != keyValues.values.size() ||
            (keyValues.length > 0 && keyValues.keys.size() != size_t(m_config.nLayers)))
            throw Error(ErrorKind::InvalidInput, "the key/value cache does not belong to this model");
        for (int64_t layer = firstLayer; layer < m_config.nLayers && keyValues.length > 0; ++layer) {
            const auto& k = keyValues.keys[size_t(layer)];
            const auto& v = keyValues.values[size_t(layer)];
            const std::vector<int64_t> expected{batch, keyValues.length, m_config.nKvHeads, m_config.dHead};
            if (!k.defined() || !v.defined() || k.sizes().vec() != expected || v.sizes().vec() != expected)
                throw Error(ErrorKind::InvalidInput, "the key/value cache of block " + std::to_string(layer) +
                                                         " does not hold " + std::to_string(keyValues.length) +
                                                         " positions of this batch");
        }
    }

    at::Tensor embed(const Pass& pass, const at::Tensor& ids) const
    {
        const int64_t B = ids.size(0), T = ids.size(1);
        auto embedded = at::embedding(m_weights.tokenEmbedding, ids).to(m_dtype);  // [B,T,d]
        pass.hook("hook_embed", embedded);
        if (!m_weights.positionEmbedding.defined())
            return embedded;
        auto pos = m_weights.positionEmbedding.narrow(0, pass.cachedPositions, T).unsqueeze(0).expand({B, T, m_config.dModel}).to(m_dtype).contiguous();
        pass.hook("hook_pos_embed", pos);
        return embedded + pos;
    }

    at::Tensor resumedResidual(const ResumePoint& resume, int64_t lastLayer, int64_t batch, int64_t positions) const
    {
        if (resume.layer < 0 || resume.layer > lastLayer)
            throw Error(ErrorKind::InvalidInput, "cannot resume at block " + std::to_string(resume.layer) + " and stop after block " +
                                                     std::to_string(lastLayer) + " (model has " + std::to_string(m_config.nLayers) +
                                                     " layers)");
        const std::vector<int64_t> expected{batch, positions, m_config.dModel};
        if (!resume.residualPre.defined() || resume.residualPre.sizes().vec() != expected)
            throw Error(ErrorKind::InvalidInput, "the residual to resume from must be [" + std::to_string(batch) + "," +
                                                     std::to_string(positions) + "," + std::to_string(m_config.dModel) + "]");
        return resume.residualPre.to(m_device, m_dtype);
    }

    // The norm without its weight and bias (what TransformerLens ≥ 3 calls hook_normalized),
    // computed in float32 whatever the run's dtype.
    at::Tensor normalize(const at::Tensor& x) const
    {
        const auto x32 = x.to(at::kFloat);
        at::Tensor y;
        if (m_config.norm == NormKind::LayerNorm)
            y = at::layer_norm(x32, {m_config.dModel}, {}, {}, m_config.normEps);
        else
            y = x32 * at::rsqrt(x32.pow(2).mean(-1, true) + m_config.normEps);
        return y.to(m_dtype);
    }

    // The run dtype whatever the norm's stored dtype (a kept bfloat16 weight would otherwise
    // promote nothing and a float32 one would promote a bfloat16 run).
    at::Tensor applyAffine(const NormWeights& norm, const at::Tensor& normalized) const
    {
        const auto x = normalized.to(m_dtype);
        auto y = x * weightAs(norm.weight, m_dtype);
        return norm.bias.defined() ? y + weightAs(norm.bias, m_dtype) : y;
    }

    // Qwen3's per-head RMSNorm of q or k [B,T,heads,dh] over dh, as Qwen3RMSNorm computes it:
    // normalised in float32, cast back, then scaled by the weight.
    at::Tensor headNorm(const at::Tensor& x, const at::Tensor& weight) const
    {
        const auto x32 = x.to(at::kFloat);
        const auto y = (x32 * at::rsqrt(x32.pow(2).mean(-1, true) + m_config.normEps)).to(x.scalar_type());
        return y * weightAs(weight, x.scalar_type());
    }

    at::Tensor activate(const at::Tensor& x) const
    {
        const auto& name = m_config.activation;
        if (name == "gelu_new" || name == "gelu_pytorch_tanh")
            return at::gelu(x, "tanh");
        if (name == "gelu")
            return at::gelu(x);
        if (name == "relu")
            return at::relu(x);
        return at::silu(x);
    }

    at::Tensor mlp(const BlockWeights& b, const at::Tensor& x) const
    {
        auto hidden = matmulWeight(x, b.wIn, b.bIn);  // [B,T,d_mlp]
        if (b.wGate.defined())
            hidden = activate(matmulWeight(x, b.wGate, b.bGate)) * hidden;
        else
            hidden = activate(hidden);
        return matmulWeight(hidden, b.wOut, b.bOut);
    }

    // Causal softmax attention for query heads [h0, h0+n): pattern [B,n,T,S], the T queries being
    // the last of the S keys' positions.
    at::Tensor pattern(const at::Tensor& q, const at::Tensor& k, int64_t h0, int64_t n) const
    {
        const int64_t T = q.size(2), S = k.size(2);
        auto scores = at::matmul(q.narrow(1, h0, n), k.narrow(1, h0, n).transpose(-1, -2)).to(at::kFloat);
        scores.mul_(1.0 / std::sqrt(double(m_config.dHead)));
        const auto future = at::ones({T, S}, at::TensorOptions().dtype(at::kBool).device(m_device)).triu(S - T + 1);
        scores.masked_fill_(future, -std::numeric_limits<float>::infinity());
        return at::softmax(scores, -1).to(m_dtype);
    }

    at::Tensor attention(const Pass& pass, int64_t layer, const BlockWeights& b, const at::Tensor& input,
                         const RotaryTables& rotary) const
    {
        const int64_t B = input.size(0), T = input.size(1), H = m_config.nHeads, Hkv = m_config.nKvHeads;
        const int64_t dh = m_config.dHead;
        auto q = matmulWeight(input, b.wQ, b.bQ).view({B, T, H, dh});
        auto k = matmulWeight(input, b.wK, b.bK).view({B, T, Hkv, dh});
        auto v = matmulWeight(input, b.wV, b.bV).view({B, T, Hkv, dh});
        if (m_config.qkNorm) {
            q = headNorm(q, b.qNorm);
            k = headNorm(k, b.kNorm);
        }
        if (m_config.rotaryDim > 0) {
            q = applyRotary(q, rotary);
            k = applyRotary(k, rotary);
        }
        pass.hook(blockHook(layer, "attn.hook_q"), q);
        pass.hook(blockHook(layer, "attn.hook_k"), k);
        pass.hook(blockHook(layer, "attn.hook_v"), v);
        if (pass.grownKeys) {
            auto& keys = (*pass.grownKeys)[size_t(layer)];
            auto& values = (*pass.grownValues)[size_t(layer)];
            keys = pass.cachedPositions > 0 ? at::cat({keys, k}, 1) : k;
            values = pass.cachedPositions > 0 ? at::cat({values, v}, 1) : v;
            k = keys;
            v = values;
        }

        // Query head h reads KV head h / (H / H_kv).
        const auto qh = q.transpose(1, 2);  // [B,H,T,dh]
        const auto patternName = blockHook(layer, "attn.hook_pattern");
        at::Tensor z;  // [B,H,T,dh]
        const bool keepsPattern = pass.wanted(patternName) || pass.options.intervene;
        if (!keepsPattern && fusedAttentionOn(m_device)) {
            // The fused kernel reads each KV head for its whole query group: no repeated copies.
            z = fusedCausalAttention(qh, k.transpose(1, 2), v.transpose(1, 2), 1.0 / std::sqrt(double(dh)));
        } else {
            const auto kh = k.transpose(1, 2).repeat_interleave(H / Hkv, 1);  // [B,H,S,dh]
            const auto vh = v.transpose(1, 2).repeat_interleave(H / Hkv, 1);  // [B,H,S,dh]
            if (keepsPattern) {
                auto full = pattern(qh, kh, 0, H);
                pass.hook(patternName, full);
                z = at::matmul(full, vh);
            } else {
                // Bound the live scores to one chunk of heads; no pattern outlives its chunk.
                const int64_t perHead = std::max<int64_t>(1, B * T * kh.size(2) * 4 * 3);
                const int64_t chunk = std::clamp<int64_t>(kAttentionChunkBytes / perHead, 1, H);
                std::vector<at::Tensor> parts;
                for (int64_t h0 = 0; h0 < H; h0 += chunk) {
                    const int64_t n = std::min(chunk, H - h0);
                    parts.push_back(at::matmul(pattern(qh, kh, h0, n), vh.narrow(1, h0, n)));
                }
                z = at::cat(parts, 1);
            }
        }
        z = z.transpose(1, 2).contiguous();  // [B,T,H,dh]
        pass.hook(blockHook(layer, "attn.hook_z"), z);

        at::Tensor out;
        const auto resultName = blockHook(layer, "attn.hook_result");
        if (pass.wanted(resultName)) {
            // Per-head outputs z_h W_O^h; the attention output is their sum, so an intervention
            // on them flows on.
            auto result = at::einsum("bthk,hkd->bhtd", {z, weightAs(b.wO, m_dtype).reshape({H, dh, m_config.dModel})});  // [B,H,T,d]
            pass.hook(resultName, result);
            out = result.sum(1);
            if (b.bO.defined())
                out.add_(b.bO);
        } else {
            out = matmulWeight(z.view({B, T, H * dh}), b.wO, b.bO);
        }
        return out;
    }

    at::Tensor block(const Pass& pass, int64_t layer, at::Tensor resid, const RotaryTables& rotary) const
    {
        const auto& b = m_weights.blocks[size_t(layer)];
        pass.hook(blockHook(layer, "hook_resid_pre"), resid);
        auto ln1 = normalize(resid);
        pass.hook(blockHook(layer, "ln1.hook_normalized"), ln1);
        auto attnOut = attention(pass, layer, b, applyAffine(b.ln1, ln1), rotary);
        pass.hook(blockHook(layer, "hook_attn_out"), attnOut);

        // Parallel residual (NeoX): the MLP reads the block input, not resid + attn.
        at::Tensor mlpInput = resid;
        if (!m_config.parallelResidual) {
            mlpInput = resid + attnOut;
            pass.hook(blockHook(layer, "hook_resid_mid"), mlpInput);
        }
        auto ln2 = normalize(mlpInput);
        pass.hook(blockHook(layer, "ln2.hook_normalized"), ln2);
        auto mlpOut = mlp(b, applyAffine(b.ln2, ln2));
        pass.hook(blockHook(layer, "hook_mlp_out"), mlpOut);
        auto post = m_config.parallelResidual ? resid + attnOut + mlpOut : mlpInput + mlpOut;
        pass.hook(blockHook(layer, "hook_resid_post"), post);
        return post;
    }

    ModelConfig m_config;
    TransformerWeights m_weights;
    at::Device m_device;
    at::ScalarType m_dtype;
};

} // namespace

std::string blockHook(int64_t layer, const std::string& name)
{
    return "blocks." + std::to_string(layer) + "." + name;
}

void KeyValueCache::truncate(int64_t positions)
{
    if (positions >= length)
        return;
    const int64_t kept = std::max<int64_t>(positions, 0);
    for (auto* tensors : {&keys, &values})
        for (auto& tensor : *tensors)
            if (tensor.defined())
                tensor = tensor.narrow(1, 0, kept);
    length = kept;
}

std::unique_ptr<Transformer> Transformer::load(const std::filesystem::path& dir, at::Device device, at::ScalarType dtype,
                                               const std::function<void(double)>& progress)
{
    if (dtype != at::kFloat && dtype != at::kBFloat16 && dtype != at::kHalf)
        throw Error(ErrorKind::Unsupported, "models run in float32, bfloat16 or float16 only");
    if (dtype == at::kHalf && device.is_cpu())
        throw Error(ErrorKind::Device, "float16 has no matmul on the CPU in this LibTorch; use float32 or bfloat16");
    auto config = loadModelConfig(dir);
    auto weights = loadTransformerWeights(dir, config, device, dtype, progress);
    return std::make_unique<HfTransformer>(std::move(config), std::move(weights), device, dtype);
}

} // namespace lorsa
