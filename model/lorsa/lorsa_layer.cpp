#include "model/lorsa/lorsa_layer.h"

#include "model/core/error.h"
#include "model/core/fused_attention.h"
#include "model/core/weight_matmul.h"
#include "model/lorsa/active_head_decoder.h"
#include "model/lorsa/causal_attention.h"
#include "model/lorsa/lorsa_weights.h"
#include "model/lorsa/rotary_embedding.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lorsa {

namespace {

/// feature_acts, and for a top-k activation the k active heads of every token with their
/// activations ([B,T,k]), which the decoder reads instead of the dense matrix.
struct Activation {
    at::Tensor acts;      // [B,T,n_ov]
    at::Tensor heads;     // [B,T,k] or undefined
    at::Tensor headActs;  // [B,T,k] or undefined
};

class LorsaLayerImpl final : public LorsaLayer {
public:
    LorsaLayerImpl(LorsaConfig config, LorsaWeights weights, at::Device device, at::ScalarType dtype);

    const LorsaConfig& config() const override { return m_config; }
    LorsaOutput forward(const at::Tensor& x, const LorsaForwardOptions& options) const override;
    at::Tensor patterns(const at::Tensor& x, const std::vector<int64_t>& qkHeads) const override;
    at::Tensor zPatterns(const at::Tensor& x, const std::vector<int64_t>& ovHeads) const override;
    at::Tensor headValues(const at::Tensor& x, const std::vector<int64_t>& ovHeads) const override;
    at::Tensor valueWeights() const override { return m_wV; }
    at::Tensor outputWeights() const override { return m_wO; }
    int64_t qkHeadOf(int64_t ovHead) const override;
    int64_t parameterCount() const override { return m_parameterCount; }

private:
    /// \p x on the Lorsa's device, checked; \p cached positions precede it. Unless \p checkFinite
    /// is false, also refuses NaN and Inf (reading a flag from the device: a synchronisation).
    at::Tensor prepareInput(const at::Tensor& x, int64_t cached = 0, bool checkFinite = true) const;
    static void throwUnlessFinite(const at::Tensor& allFinite);
    /// Queries or keys of the selected QK heads (undefined \p heads: all), after post-QK norm and
    /// rotary for positions \p firstPosition..: [B,T,h,d_qk']
    at::Tensor project(const at::Tensor& x, const at::Tensor& heads, const at::Tensor& w, const at::Tensor& b,
                       const at::Tensor& lnWeight, int64_t firstPosition = 0) const;
    at::Tensor values(const at::Tensor& x) const;  // [B,T,n_ov]
    /// hidden_pre [B,T,n_ov] by chunks of QK heads; fills \p pattern when keepPatterns. With a
    /// cache in \p options, \p grown receives its keys and values extended by x's positions.
    at::Tensor hiddenPreChunked(const at::Tensor& x, const LorsaForwardOptions& options, at::Tensor& pattern,
                                LorsaKeyValueCache& grown) const;
    /// hidden_pre [B,T,n_ov] through fusedCausalAttention, all QK heads in one call in the
    /// Lorsa's dtype, with no pattern materialised: the accelerator path. Cache as above.
    at::Tensor hiddenPreFused(const at::Tensor& x, const LorsaForwardOptions& options, LorsaKeyValueCache& grown) const;
    /// The benchmark's baseline: every pattern at once and a dense decoder, as the reference Python.
    LorsaOutput forwardStraightforward(const at::Tensor& x, const LorsaForwardOptions& options) const;
    /// feature_acts W_O + b_D [B,T,d], reading only the W_O rows of active heads when few are
    /// (or as \p decoder forces).
    at::Tensor decode(const Activation& activation, LorsaDecoder decoder) const;
    /// Causal softmax of q k^T / attn_scale, computed in float32 (or float64): [B,h,T,T]
    at::Tensor attention(const at::Tensor& q, const at::Tensor& k) const;
    Activation activate(const at::Tensor& hiddenPre) const;
    at::Tensor headIndex(const std::vector<int64_t>& heads, int64_t count, const char* what) const;
    /// Throws unless \p cache holds keys and values of this Lorsa for x's batch.
    void checkKeyValueCache(const LorsaKeyValueCache& cache, const at::Tensor& x) const;

    LorsaConfig m_config;
    at::Device m_device;
    at::ScalarType m_dtype;
    int64_t m_group = 1;         // OV heads per QK head
    at::Tensor m_wQ, m_wK;       // [d,n_qk*d_qk] (heads side by side), dataset-wise input scale folded in
    at::Tensor m_bQ, m_bK;       // [n_qk,d_qk]
    at::Tensor m_lnQ, m_lnK;     // [n_qk,d_qk] or undefined
    at::Tensor m_wV;             // [n_ov,d] model units
    at::Tensor m_bV;             // [n_ov]
    at::Tensor m_wO;             // [n_ov,d] model units
    at::Tensor m_bD;             // [d] model units
    at::Tensor m_decoderNorm;    // [n_ov] the norm the activation function ranks with
    at::Tensor m_threshold;      // [n_ov] exp(log_jumprelu_threshold), JumpReLU only
    RotaryEmbedding m_rotary;
    int64_t m_parameterCount = 0;
};

LorsaLayerImpl::LorsaLayerImpl(LorsaConfig config, LorsaWeights w, at::Device device, at::ScalarType dtype)
    : m_config(std::move(config)), m_device(device), m_dtype(dtype), m_parameterCount(w.parameterCount)
{
    m_group = m_config.nOvHeads / m_config.nQkHeads;
    // The original release ranks with its stored W_O (training never folded the norms); a
    // uniform factor does not change a top-k ranking, so only the order of operations differs.
    const auto storedDecoderNorm = w.wO.norm(2, {1});
    if (m_config.normActivation == "dataset-wise") {
        // As Language-Model-SAEs' from_pretrained (standardize_parameters_of_dataset_norm):
        // scaling x by f_in equals scaling W_Q, W_K, W_V; the reconstruction is divided by f_out.
        const double root = std::sqrt(static_cast<double>(m_config.dModel));
        const double fIn = root / *m_config.averageNormIn;
        const double fOut = root / *m_config.averageNormOut;
        w.wQ = w.wQ * fIn;
        w.wK = w.wK * fIn;
        w.wV = w.wV * fIn;
        w.wO = w.wO / fOut;
        w.bD = w.bD / fOut;
    }
    const auto put = [&](const at::Tensor& t) { return t.defined() ? t.to(dtype).to(device).contiguous() : t; };
    // One [d, n_qk*d_qk] matrix projects every head in one GEMM without a per-call copy.
    const auto sideBySide = [&](const at::Tensor& t) { return put(t.permute({1, 0, 2}).reshape({m_config.dModel, -1})); };
    m_wQ = sideBySide(w.wQ);
    m_wK = sideBySide(w.wK);
    m_bQ = put(w.bQ);
    m_bK = put(w.bK);
    m_lnQ = put(w.lnQ);
    m_lnK = put(w.lnK);
    m_wV = put(w.wV);
    m_bV = put(w.bV);
    m_wO = put(w.wO);
    m_bD = put(w.bD);
    // Language-Model-SAEs' from_pretrained ranks with the norm of the folded W_O.
    m_decoderNorm = put(m_config.format == LorsaFormat::OriginalRelease ? storedDecoderNorm : w.wO.norm(2, {1}));
    if (w.logThreshold.defined())
        m_threshold = put(w.logThreshold.exp());
    if (m_config.rotary)
        m_rotary = w.rotarySin.defined() ? RotaryEmbedding(m_config, w.rotarySin, w.rotaryCos, device, dtype)
                                         : RotaryEmbedding(m_config, device, dtype);
}

int64_t LorsaLayerImpl::qkHeadOf(int64_t ovHead) const
{
    if (ovHead < 0 || ovHead >= m_config.nOvHeads)
        throw Error(ErrorKind::InvalidInput, "OV head " + std::to_string(ovHead) + " is out of range 0.." + std::to_string(m_config.nOvHeads - 1));
    return ovHead / m_group;
}

at::Tensor LorsaLayerImpl::headIndex(const std::vector<int64_t>& heads, int64_t count, const char* what) const
{
    for (int64_t h : heads)
        if (h < 0 || h >= count)
            throw Error(ErrorKind::InvalidInput, std::string(what) + " head " + std::to_string(h) + " is out of range 0.." + std::to_string(count - 1));
    return at::tensor(at::IntArrayRef(heads), at::TensorOptions().dtype(at::kLong)).to(m_device);
}

void LorsaLayerImpl::checkKeyValueCache(const LorsaKeyValueCache& cache, const at::Tensor& x) const
{
    if (cache.length == 0)
        return;
    const int64_t batch = x.defined() && x.dim() == 3 ? x.size(0) : -1;
    const int64_t keyWidth = m_config.dQkHead * (m_config.rotary ? static_cast<int64_t>(m_config.rotaryScale) : 1);
    const auto fits = [&](const at::Tensor& t, int64_t width) {
        return t.defined() && t.sizes().vec() == std::vector<int64_t>{batch, m_config.nQkHeads, cache.length, width};
    };
    if (cache.length < 0 || !fits(cache.keys, keyWidth) || !fits(cache.values, m_group))
        throw Error(ErrorKind::InvalidInput, "the Lorsa key/value cache does not hold " + std::to_string(cache.length) +
                                                 " positions of this Lorsa and batch");
}

void LorsaLayerImpl::throwUnlessFinite(const at::Tensor& allFinite)
{
    if (!allFinite.item<bool>())
        throw Error(ErrorKind::InvalidInput, "Lorsa input contains NaN or Inf");
}

at::Tensor LorsaLayerImpl::prepareInput(const at::Tensor& x, int64_t cached, bool checkFinite) const
{
    if (!x.defined() || x.dim() != 3 || x.size(2) != m_config.dModel)
        throw Error(ErrorKind::InvalidInput, "Lorsa input must have shape [B,T," + std::to_string(m_config.dModel) + "]" +
                                                 (x.defined() ? ", found " + std::to_string(x.dim()) + " dimensions" : std::string()));
    if (x.size(0) < 1 || x.size(1) < 1)
        throw Error(ErrorKind::InvalidInput, "Lorsa input is empty");
    if (cached + x.size(1) > m_config.nCtx)
        throw Error(ErrorKind::InvalidInput, "sequence of " + std::to_string(cached + x.size(1)) +
                                                 " tokens exceeds the Lorsa context n_ctx = " + std::to_string(m_config.nCtx));
    if (!at::isFloatingType(x.scalar_type()))
        throw Error(ErrorKind::InvalidInput, "Lorsa input must be a floating-point tensor");
    auto input = x.to(m_device, m_dtype);
    if (checkFinite)
        throwUnlessFinite(at::isfinite(input).all());
    return input;
}

at::Tensor LorsaLayerImpl::project(const at::Tensor& x, const at::Tensor& heads, const at::Tensor& w, const at::Tensor& b,
                                   const at::Tensor& lnWeight, int64_t firstPosition) const
{
    const int64_t dQk = m_config.dQkHead, d = m_config.dModel;
    const int64_t h = heads.defined() ? heads.numel() : m_config.nQkHeads;
    const auto flat = heads.defined() ? w.view({d, -1, dQk}).index_select(1, heads).reshape({d, h * dQk}) : w;  // [d,h*d_qk]
    const auto bias = heads.defined() ? b.index_select(0, heads) : b;                                            // [h,d_qk]
    auto out = matmulWeight(x, flat, bias.reshape({-1})).view({x.size(0), x.size(1), h, dQk});  // [B,T,h,d_qk]
    if (lnWeight.defined()) {
        // RMSNormPerHead: computed in float32 for half-precision weights, as upstream does.
        const auto wide = (m_dtype == at::kFloat || m_dtype == at::kDouble) ? out : out.to(at::kFloat);
        const auto scale = (wide.pow(2).mean(-1, true) + m_config.eps).sqrt();
        const auto ln = heads.defined() ? lnWeight.index_select(0, heads) : lnWeight;  // [h,d_qk]
        out = (wide / scale * ln.to(wide.scalar_type())).to(m_dtype);
    }
    return m_config.rotary ? m_rotary.apply(out, firstPosition) : out;
}

at::Tensor LorsaLayerImpl::attention(const at::Tensor& q, const at::Tensor& k) const
{
    const auto wide = m_dtype == at::kDouble ? at::kDouble : at::kFloat;
    const int64_t t = q.size(1);
    const auto qh = q.permute({0, 2, 1, 3}).to(wide);  // [B,h,T,d]
    const auto kh = k.permute({0, 2, 3, 1}).to(wide);  // [B,h,d,T]
    auto scores = at::matmul(qh, kh);
    scores.div_(m_config.attnScale);
    const auto future = at::ones({t, t}, at::TensorOptions().dtype(at::kBool).device(m_device)).triu(1);
    scores.masked_fill_(future, -std::numeric_limits<double>::infinity());
    return at::softmax(scores, -1);
}

Activation LorsaLayerImpl::activate(const at::Tensor& hiddenPre) const
{
    const auto& c = m_config;
    const auto& norm = m_decoderNorm;
    if (c.format == LorsaFormat::OriginalRelease) {
        // cal_out_top_k_for_ov1: rank relu(z)|W_O| (or |z||W_O|), keep z where the score reaches
        // the k-th largest (ties keep more than k; with fewer than k positive scores all pass).
        const auto score = (c.rankByAbsolute ? hiddenPre.abs() : at::relu(hiddenPre)) * norm;
        const auto kthLargest = std::get<0>(score.topk(c.topK, -1)).narrow(-1, c.topK - 1, 1);
        return {hiddenPre * score.ge(kthLargest), {}, {}};
    }
    // Language-Model-SAEs encode(): the activation function sees hidden_pre * |W_O| when
    // sparsity_include_decoder_norm, and the result is divided by |W_O| again. A zero decoder
    // row has zero activation; the floor keeps 0/0 from turning it into NaN.
    const auto flooredNorm = [&] { return norm.clamp_min(std::numeric_limits<float>::min()); };
    auto s = c.sparsityIncludeDecoderNorm ? hiddenPre * norm : hiddenPre;
    if (c.activation == LorsaActivation::TopK) {
        // Exactly k heads per token, as upstream's topk() scatters them (a tie at the k-th value
        // is broken by at::topk, as there). Upstream zeroes negative scores before ranking; with
        // fewer than k positive ones the rest of its top k are zeros, as are these once clamped.
        auto [top, heads] = s.topk(c.topK, -1);
        top = top.clamp_min(0);
        if (c.sparsityIncludeDecoderNorm)
            top = top / flooredNorm().index_select(0, heads.reshape({-1})).view_as(heads);
        return {at::zeros_like(hiddenPre).scatter_(-1, heads, top), heads, top};
    }
    s = s * (c.activation == LorsaActivation::JumpRelu ? s.gt(m_threshold) : s.gt(0));
    return {c.sparsityIncludeDecoderNorm ? s / flooredNorm() : s, {}, {}};
}

at::Tensor LorsaLayerImpl::values(const at::Tensor& x) const
{
    return matmulWeight(x, m_wV.t(), m_bV).view({x.size(0), x.size(1), -1});
}

at::Tensor LorsaLayerImpl::hiddenPreChunked(const at::Tensor& x, const LorsaForwardOptions& options, at::Tensor& pattern,
                                            LorsaKeyValueCache& grown) const
{
    const int64_t batch = x.size(0), t = x.size(1), nQk = m_config.nQkHeads, g = m_group;
    const auto* cache = options.keyValues;
    const int64_t cached = cache ? cache->length : 0, s = cached + t;
    // Scores and probabilities in float32 (float64 for float64 weights), as the straightforward
    // forward computes them; half-precision inputs convert exactly.
    const auto wide = x.options().dtype(m_dtype == at::kDouble ? at::kDouble : at::kFloat);
    const auto headMajor = [&](const at::Tensor& a) {  // [B,T,n_qk,w] -> contiguous [B,n_qk,T,w]
        return at::empty({batch, nQk, t, a.size(3)}, wide).copy_(a.permute({0, 2, 1, 3}));
    };
    CausalAttentionInputs in;
    in.q = headMajor(project(x, {}, m_wQ, m_bQ, m_lnQ, cached));
    in.k = headMajor(project(x, {}, m_wK, m_bK, m_lnK, cached));
    in.v = headMajor(values(x).view({batch, t, nQk, g}));
    in.scale = m_config.attnScale;
    const auto hidden = at::empty_like(in.v);  // [B,n_qk,T,g]
    if (cache) {
        if (cached > 0) {
            in.k = at::cat({cache->keys.to(in.k.scalar_type()), in.k}, 2);  // the fused path caches its own dtype
            in.v = at::cat({cache->values.to(in.v.scalar_type()), in.v}, 2);
        }
        grown = {in.k, in.v, s};
    }
    if (options.keepPatterns)
        pattern = at::zeros({batch, nQk, t, s}, x.options());

    // The chunk size bounds the patterns the old one-shot forward would hold (two [B,T,S] float32
    // per head) and sets how often cancellation is polled; the work itself is per head.
    const int64_t perHead = 2 * batch * t * s * static_cast<int64_t>(sizeof(float));
    const int64_t chunk = std::clamp<int64_t>(options.chunkBytes / std::max<int64_t>(perHead, 1), 1, nQk);
    for (int64_t h0 = 0; h0 < nQk; h0 += chunk) {
        if (options.cancelled && options.cancelled())
            throw Error(ErrorKind::Cancelled, "Lorsa forward cancelled");
        if (x.is_cpu())
            causalGroupedAttention(in, h0, std::min(chunk, nQk - h0), hidden, pattern);
        else
            causalGroupedAttentionBatched(in, h0, std::min(chunk, nQk - h0), hidden, pattern);
    }
    auto hiddenPre = at::empty({batch, t, nQk * g}, x.options());
    hiddenPre.view({batch, t, nQk, g}).copy_(hidden.permute({0, 2, 1, 3}));
    return hiddenPre;
}

at::Tensor LorsaLayerImpl::hiddenPreFused(const at::Tensor& x, const LorsaForwardOptions& options, LorsaKeyValueCache& grown) const
{
    if (options.cancelled && options.cancelled())
        throw Error(ErrorKind::Cancelled, "Lorsa forward cancelled");
    const int64_t batch = x.size(0), t = x.size(1), nQk = m_config.nQkHeads;
    const auto* cache = options.keyValues;
    const int64_t cached = cache ? cache->length : 0;
    const auto q = project(x, {}, m_wQ, m_bQ, m_lnQ, cached).permute({0, 2, 1, 3});  // [B,n_qk,T,d_qk']
    auto k = project(x, {}, m_wK, m_bK, m_lnK, cached).permute({0, 2, 1, 3});        // [B,n_qk,T,d_qk']
    auto v = values(x).view({batch, t, nQk, m_group}).permute({0, 2, 1, 3});         // [B,n_qk,T,g]
    if (cache) {
        if (cached > 0) {  // a cache filled by the chunked path holds float32
            k = at::cat({cache->keys.to(k.scalar_type()), k}, 2);
            v = at::cat({cache->values.to(v.scalar_type()), v}, 2);
        }
        grown = {k, v, cached + t};
    }
    const auto hidden = fusedCausalAttention(q, k, v, 1.0 / m_config.attnScale);  // [B,n_qk,T,g]
    return hidden.permute({0, 2, 1, 3}).reshape({batch, t, -1});
}

LorsaOutput LorsaLayerImpl::forwardStraightforward(const at::Tensor& x, const LorsaForwardOptions& options) const
{
    const int64_t batch = x.size(0), t = x.size(1), nQk = m_config.nQkHeads;
    LorsaOutput out;
    const auto a = attention(project(x, {}, m_wQ, m_bQ, m_lnQ), project(x, {}, m_wK, m_bK, m_lnK)).to(m_dtype);  // [B,n_qk,T,T]
    const auto v = values(x).view({batch, t, nQk, m_group}).permute({0, 2, 1, 3});                              // [B,n_qk,T,g]
    out.hiddenPre = at::matmul(a, v).permute({0, 2, 1, 3}).reshape({batch, t, -1});
    if (options.keepPatterns)
        out.pattern = a;
    out.featureActs = activate(out.hiddenPre).acts;
    out.reconstructed = at::matmul(out.featureActs, m_wO) + m_bD;
    return out;
}

at::Tensor LorsaLayerImpl::decode(const Activation& activation, LorsaDecoder decoder) const
{
    const auto& featureActs = activation.acts;
    const auto dense = [&] { return at::matmul(featureActs, m_wO) + m_bD; };
    const bool halfPrecision = m_dtype == at::kBFloat16 || m_dtype == at::kHalf;
    // Debian's LibTorch 1.13 has no half-precision embedding_bag on the CPU.
    const bool bagOfActiveHeads = activation.heads.defined() && !(halfPrecision && featureActs.is_cpu());
    const auto activeRows = [&] {
        return bagOfActiveHeads ? decodeActiveHeads(activation.heads, activation.headActs, m_wO, m_bD)
                                : decodeNonzeroHeads(featureActs, m_wO, m_bD);
    };
    if (decoder == LorsaDecoder::Dense)
        return dense();
    if (decoder == LorsaDecoder::ActiveHeads)
        return activeRows();
    if (!featureActs.is_cpu()) {
        // On an accelerator a top-k activation names its active heads without counting them
        // (counting would synchronise with the host). Reading only their W_O rows wins in float32,
        // which has no tensor-core GEMM; in bfloat16/float16 the dense tensor-core product is the
        // faster one (H200, Llama-3.1-8B shape at expansion 8, T = 2048: 0.59 ms dense vs 1.15 ms
        // for the gather; docs/BENCHMARKS.md).
        return activation.heads.defined() && !halfPrecision ? activeRows() : dense();
    }
    // Top-k leaves a few active heads per token: reading their W_O rows does k/n_ov of the dense
    // GEMM's work. Past ~1/64 density BLAS on the whole matrix is faster.
    constexpr int64_t kSparseDensity = 64;
    const int64_t active = activation.heads.defined() ? activation.heads.numel() : featureActs.count_nonzero().item<int64_t>();
    if (active * kSparseDensity > featureActs.numel())
        return dense();
    return activeRows();
}

LorsaOutput LorsaLayerImpl::forward(const at::Tensor& xIn, const LorsaForwardOptions& options) const
{
    auto* cache = options.keyValues;
    if (cache && options.straightforward)
        throw Error(ErrorKind::InvalidInput, "the straightforward Lorsa forward keeps no key/value cache");
    if (cache)
        checkKeyValueCache(*cache, xIn);
    // The finite check is read once the whole forward is queued: on a GPU, reading it first would
    // leave the device idle while the forward's kernels are launched.
    const auto x = prepareInput(xIn, cache ? cache->length : 0, false);
    const auto allFinite = at::isfinite(x).all();
    if (options.straightforward) {
        auto out = forwardStraightforward(x, options);
        throwUnlessFinite(allFinite);
        return out;
    }
    LorsaOutput out;
    LorsaKeyValueCache grown;
    const bool fused = fusedAttentionOn(x.device()) && !options.keepPatterns;
    out.hiddenPre = fused ? hiddenPreFused(x, options, grown) : hiddenPreChunked(x, options, out.pattern, grown);
    const auto activation = activate(out.hiddenPre);
    out.featureActs = activation.acts;
    out.reconstructed = decode(activation, options.decoder);
    throwUnlessFinite(allFinite);  // before the cache takes the new positions
    if (cache)
        *cache = std::move(grown);
    return out;
}

at::Tensor LorsaLayerImpl::patterns(const at::Tensor& xIn, const std::vector<int64_t>& qkHeads) const
{
    const auto heads = headIndex(qkHeads, m_config.nQkHeads, "QK");
    const auto x = prepareInput(xIn);
    if (qkHeads.empty())
        return at::empty({x.size(0), 0, x.size(1), x.size(1)}, x.options());
    return attention(project(x, heads, m_wQ, m_bQ, m_lnQ), project(x, heads, m_wK, m_bK, m_lnK)).to(m_dtype);
}

at::Tensor LorsaLayerImpl::zPatterns(const at::Tensor& xIn, const std::vector<int64_t>& ovHeads) const
{
    const auto v = headValues(xIn, ovHeads);  // [B,T,n]; checks the OV heads
    std::vector<int64_t> qkHeads;
    qkHeads.reserve(ovHeads.size());
    for (int64_t h : ovHeads)
        qkHeads.push_back(h / m_group);
    return patterns(xIn, qkHeads) * v.permute({0, 2, 1}).unsqueeze(2);  // [B,n,T,T]
}

at::Tensor LorsaLayerImpl::headValues(const at::Tensor& xIn, const std::vector<int64_t>& ovHeads) const
{
    const auto ov = headIndex(ovHeads, m_config.nOvHeads, "OV");
    const auto x = prepareInput(xIn);
    return at::matmul(x, m_wV.index_select(0, ov).t()) + m_bV.index_select(0, ov);  // [B,T,n]
}

} // namespace

void LorsaKeyValueCache::truncate(int64_t positions)
{
    if (positions >= length)
        return;
    const int64_t kept = std::max<int64_t>(positions, 0);
    keys = keys.narrow(2, 0, kept);
    values = values.narrow(2, 0, kept);
    length = kept;
}

std::unique_ptr<LorsaLayer> LorsaLayer::load(const std::filesystem::path& dir, at::Device device, at::ScalarType dtype)
{
    if (dtype != at::kFloat && dtype != at::kDouble && dtype != at::kBFloat16 && dtype != at::kHalf)
        throw Error(ErrorKind::Unsupported, "Lorsa layers run in float32, float64, bfloat16 or float16");
    LorsaConfig config = loadLorsaConfig(dir);
    LorsaWeights weights = loadLorsaWeights(config);
    return std::make_unique<LorsaLayerImpl>(std::move(config), std::move(weights), device, dtype);
}

} // namespace lorsa
