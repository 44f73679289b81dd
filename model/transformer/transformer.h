#pragma once
/// \file
/// A causal language model (gpt2, gpt_neox, llama) loaded from a Hugging Face folder and run
/// with LibTorch, exposing activations under TransformerLens hook names. Engine-internal.

#include "model/transformer/model_config.h"

#include <ATen/ATen.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lorsa {

/// Which activations a forward pass keeps. Only named hooks are stored.
struct HookRequest {
    std::set<std::string> names;
    bool wants(const std::string& name) const { return names.count(name) != 0; }
};

/// Captured activations, each with a leading batch dimension:
///   hook_embed, blocks.L.hook_resid_pre/resid_mid/resid_post/attn_out/mlp_out  [B,T,d]
///   blocks.L.ln1.hook_normalized, ln_final.hook_normalized                       [B,T,d] (no weight/bias)
///   blocks.L.attn.hook_q [B,T,H,dh], hook_k / hook_v [B,T,H_kv,dh] (q,k after rotary)
///   blocks.L.attn.hook_pattern [B,H,T,T], blocks.L.attn.hook_z [B,T,H,dh]
///   blocks.L.attn.hook_result [B,H,T,d] per-head outputs z_h W_O^h (no output bias)
///   logits [B,T,V]
using ActivationCache = std::map<std::string, at::Tensor>;

/// The name of hook \p name of block \p layer: "blocks.<layer>.<name>".
std::string blockHook(int64_t layer, const std::string& name);

/// Every block's keys (after rotary) and values for the positions run so far, so that a later
/// pass over tokens that continue them computes only the new positions. Blocks a pass skipped
/// (ForwardOptions::resumeFrom) stay undefined.
struct KeyValueCache {
    std::vector<at::Tensor> keys;    ///< per block [B,length,H_kv,dh]
    std::vector<at::Tensor> values;  ///< per block [B,length,H_kv,dh]
    int64_t length = 0;              ///< positions held

    /// Forgets every position from \p positions on (no-op when it holds fewer).
    void truncate(int64_t positions);
};

/// Where a pass starts when it resumes inside the model instead of at the embeddings.
struct ResumePoint {
    int64_t layer = 0;       ///< first block to run
    at::Tensor residualPre;  ///< that block's hook_resid_pre [B,T,d]
};

struct ForwardOptions {
    HookRequest capture;
    /// Called for every hook point in order with the live activation; may replace it in place
    /// (e.g. splice a Lorsa reconstruction into blocks.L.hook_attn_out). Empty = no intervention.
    std::function<void(const std::string& hook, at::Tensor& activation)> intervene;
    /// Stop after this block (no logits): analyses that only need early layers.
    std::optional<int64_t> lastLayer;
    /// Polled between blocks; returning true throws Error(Cancelled).
    std::function<bool()> cancelled;
    /// The tokens continue the cached positions: they sit at positions length.., attend to the
    /// cached keys as well, and are appended to the cache when the pass completes (a pass that
    /// throws leaves it unchanged). Hooks then hold the new positions only, patterns
    /// [B,H,T_new,length+T_new]. Needs a pass through the last block (no lastLayer).
    KeyValueCache* keyValues = nullptr;
    /// Skip the embeddings and the blocks before resumeFrom->layer (their hooks do not fire).
    std::optional<ResumePoint> resumeFrom;
};

class Transformer {
public:
    /// Loads and validates weights from a Hugging Face folder onto \p device in \p dtype
    /// (F16/BF16/F32 files converted). \p progress gets fractions 0..1; may be empty.
    static std::unique_ptr<Transformer> load(const std::filesystem::path& dir, at::Device device, at::ScalarType dtype,
                                             const std::function<void(double)>& progress = {});
    virtual ~Transformer() = default;

    virtual const ModelConfig& config() const = 0;
    virtual at::Device device() const = 0;
    virtual at::ScalarType dtype() const = 0;

    /// tokens: int64 [B,T] with T <= nCtx. Returns logits [B,T,V] (undefined tensor when
    /// options.lastLayer stops early). Captures what options.capture names into \p cache.
    virtual at::Tensor forward(const at::Tensor& tokens, ActivationCache& cache, const ForwardOptions& options) const = 0;

    /// The norm of block \p layer's attention input applied with its weight (and bias):
    /// maps ln1.hook_normalized to what HF feeds attention. x: [..., d].
    virtual at::Tensor applyLn1Affine(int64_t layer, const at::Tensor& normalized) const = 0;

    /// Unembedding [d, V] and embedding [V, d], for direct-logit and value-input attributions.
    virtual at::Tensor unembedding() const = 0;
    virtual at::Tensor embedding() const = 0;
    virtual int64_t parameterCount() const = 0;
};

} // namespace lorsa
