#pragma once
/// \file
/// Runs one prompt after another through the model and its Lorsa, reusing what a prompt shares
/// with the one before. Everything here is causal (a position's activations depend only on the
/// tokens up to it), so typing at the end of a prompt computes only the new tokens: the runner
/// keeps every block's keys and values, the Lorsa's, and those of the spliced run (the Lorsa's
/// output in place of its layer's attention) from the Lorsa's layer on, plus the per-position
/// results. Engine-internal.

#include "model/engine/fidelity.h"
#include "model/lorsa/lorsa_layer.h"
#include "model/transformer/transformer.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace lorsa {

class Engine;

/// One whole prompt's results (batch 1), however much of it was computed this time.
struct PromptRun {
    std::vector<int64_t> ids;
    at::Tensor tokens;            // [1,T] int64 on the engine's device
    at::Tensor attentionPattern;  // [H,T,T] float32 on the CPU: the patterns of block patternLayer
    // With a Lorsa (else undefined):
    at::Tensor lorsaInput;        // [1,T,d] what the Lorsa read
    at::Tensor featureActs;       // [1,T,n_ov]
    at::Tensor reconstructed;     // [1,T,d]
    at::Tensor target;            // [1,T,d] what it reconstructs (Engine::reconstructionTarget)
    at::Tensor residualPre;       // [1,T,d] the Lorsa's block's hook_resid_pre, to resume runs from
    std::optional<Fidelity> fidelity;
    int64_t reusedPositions = 0;  ///< positions taken over from the previous prompt
};

class PromptRunner {
public:
    /// \p patternLayer: the block whose attention patterns each run keeps (the Lorsa's layer).
    PromptRunner(const Engine& engine, int64_t patternLayer);

    /// Runs \p ids (checked as Engine::encodePrompt checks them), computing only the positions
    /// after the longest prefix shared with the previous prompt (less one, whose next-token term
    /// changes). Throws Error(Cancelled) when \p cancelled says so; whatever fails, the next run
    /// is as correct as a fresh one.
    const PromptRun& run(const std::vector<int64_t>& ids, const std::function<bool()>& cancelled = {});

    /// The engine's Lorsa changed to one on block \p layer (Engine::replaceLorsa). The model's
    /// own caches stay; the next run recomputes the kept prefix's Lorsa-side results from the
    /// lower of the two layers (resuming at the old layer's residual when the new one is above
    /// it, else from the embeddings), then continues as usual.
    void changeLayer(int64_t layer);

    /// On by default; off, every run computes its prompt whole (a benchmark's baseline).
    void setPrefixReuse(bool reuse) { m_reusePrefix = reuse; }

    /// The last completed run; undefined tensors before the first.
    const PromptRun& last() const { return m_run; }

private:
    /// Keeps the first \p positions of everything carried over between prompts.
    void truncate(int64_t positions);
    /// The Lorsa-spliced pass over \p tokens from the Lorsa's block (its hook_resid_pre
    /// \p residualPre), \p reconstructed in place of hook_attn_out; grows m_spliced.
    at::Tensor splicedLogits(const at::Tensor& tokens, const at::Tensor& residualPre, const at::Tensor& reconstructed,
                             const std::function<bool()>& cancelled);
    /// After changeLayer: the first \p positions of \p ids run at the new layer, from
    /// the old layer's residual where possible; fills the Lorsa-side caches and results.
    void recomputePrefix(const std::vector<int64_t>& ids, int64_t positions, const std::function<bool()>& cancelled);

    const Engine& m_engine;
    int64_t m_patternLayer = 0;
    std::optional<int64_t> m_previousLayer;  // set by changeLayer until the next run redoes the prefix
    bool m_reusePrefix = true;
    PromptRun m_run;
    std::vector<int64_t> m_validIds;  // the prompt whose positions the caches hold (a prefix after a failed run)
    KeyValueCache m_clean;
    KeyValueCache m_spliced;          // blocks from the Lorsa's layer on
    LorsaKeyValueCache m_lorsa;
    at::Tensor m_cleanNll;            // [T-1] float64: -log p(token t+1 | tokens <= t)
    at::Tensor m_splicedNll;          // [T-1] the same with the Lorsa spliced in
};

} // namespace lorsa
