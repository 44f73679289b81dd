#pragma once
/// \file
/// The Lorsa forward exactly as Language-Model-SAEs computes it, memory-bounded. Engine-internal.

#include "model/lorsa/lorsa_config.h"

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <vector>

namespace lorsa {

/// The keys and values of every QK head for the positions run so far, so that a forward over
/// positions that continue them computes only the new ones (everything in a Lorsa is causal).
struct LorsaKeyValueCache {
    at::Tensor keys;    ///< [B,n_qk,length,d_qk'] after rotary, in the scores' precision
    at::Tensor values;  ///< [B,n_qk,length,g] x.w_v + b_v of each QK head's OV group
    int64_t length = 0;

    /// Forgets every position from \p positions on (no-op when it holds fewer).
    void truncate(int64_t positions);
};

/// How a forward turns feature activations into the reconstruction (feature_acts W_O + b_D).
enum class LorsaDecoder {
    Automatic,    ///< by device, dtype and how many heads are active (the default)
    Dense,        ///< one GEMM with the whole of W_O
    ActiveHeads,  ///< only the W_O rows of the active heads (on an accelerator with a top-k activation, no host sync)
};

struct LorsaForwardOptions {
    bool keepPatterns = false;        ///< fill Output::pattern for all QK heads [B,n_qk,T,T]
    int64_t chunkBytes = 256 << 20;   ///< budget for the QK patterns of one chunk of heads
    std::function<bool()> cancelled;  ///< polled between chunks; true throws Error(Cancelled)
    /// The benchmark's baseline: all QK patterns as one [B,n_qk,T,T] tensor and a dense decoder,
    /// as the reference Python code computes them (chunkBytes and cancelled are ignored).
    bool straightforward = false;
    /// x holds the positions after the cached ones: its queries also attend to the cached keys,
    /// outputs cover x's positions only (patterns [B,n_qk,T,length+T]), and the cache grows when
    /// the forward completes. Not with straightforward.
    LorsaKeyValueCache* keyValues = nullptr;
    /// Forcing one decoder is for benchmarks that compare them; every choice gives the same sums.
    LorsaDecoder decoder = LorsaDecoder::Automatic;
};

struct LorsaOutput {
    at::Tensor pattern;        // [B,n_qk,T,T] only with keepPatterns
    at::Tensor hiddenPre;      // [B,T,n_ov]
    at::Tensor featureActs;    // [B,T,n_ov] after the activation function
    at::Tensor reconstructed;  // [B,T,d] in the model's units (normalisation undone)
};

class LorsaLayer {
public:
    /// Loads config and weights (either generation) onto \p device in \p dtype; validates
    /// shapes against the config and reports NaN/Inf in weights as Error(InvalidFile).
    static std::unique_ptr<LorsaLayer> load(const std::filesystem::path& dir, at::Device device, at::ScalarType dtype);
    virtual ~LorsaLayer() = default;

    virtual const LorsaConfig& config() const = 0;

    /// x: the hook_point_in activation [B,T,d] in model units.
    virtual LorsaOutput forward(const at::Tensor& x, const LorsaForwardOptions& options = {}) const = 0;
    /// QK patterns of the given QK heads [B,n,T,T].
    virtual at::Tensor patterns(const at::Tensor& x, const std::vector<int64_t>& qkHeads) const = 0;
    /// z-patterns of the given OV heads [B,n,T,T]: A[q,k] * (x_k . w_v + b_v), rows sum to hidden_pre.
    virtual at::Tensor zPatterns(const at::Tensor& x, const std::vector<int64_t>& ovHeads) const = 0;
    /// Values x . w_v + b_v of the given OV heads [B,T,n] (what zPatterns weights the pattern by).
    virtual at::Tensor headValues(const at::Tensor& x, const std::vector<int64_t>& ovHeads) const = 0;

    /// Effective weights in model units (dataset-wise scaling folded in): W_V, W_O [n_ov,d].
    virtual at::Tensor valueWeights() const = 0;
    virtual at::Tensor outputWeights() const = 0;
    virtual int64_t qkHeadOf(int64_t ovHead) const = 0;
    virtual int64_t parameterCount() const = 0;
};

} // namespace lorsa
