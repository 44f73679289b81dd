#pragma once
/// \file
/// What a Lorsa head reads and writes in token terms, and how its QK pattern compares with the
/// model's own heads. Engine-internal.

#include "model/engine/analysis.h"

#include <ATen/ATen.h>

namespace lorsa {

class Engine;

/// Token attributions of Lorsa heads through the model's embedding and unembedding.
class HeadAttribution {
public:
    explicit HeadAttribution(const Engine& engine);

    /// |w_o^i| in model units: [n_ov] float32 on the CPU.
    const at::Tensor& decoderNorms() const { return m_decoderNorms; }
    /// Tokens whose logits w_o^i raises most (direct logit effect, w_o^i . W_U).
    std::vector<TokenScore> promotedTokens(int64_t head, int count) const;
    /// Tokens whose embeddings, normalised as the Lorsa's input is, drive w_v^i most.
    std::vector<TokenScore> valueTokens(int64_t head, int count) const;

private:
    std::vector<TokenScore> topTokens(const at::Tensor& scores, int count) const;

    const Engine& m_engine;
    at::Tensor m_decoderNorms;    // [n_ov]
    at::Tensor m_embeddingMean;   // [V] per-row mean (LayerNorm models) or zeros
    at::Tensor m_embeddingScale;  // [V] per-row std (LayerNorm) or rms (RMSNorm)
};

/// Mean over query rows of the Jensen-Shannon distance (base 2, in [0,1]) between the rows of
/// \p pattern [T,T] and those of each of \p heads [H,T,T]: [H]. Lower means more similar.
at::Tensor meanJensenShannonDistance(const at::Tensor& pattern, const at::Tensor& heads);

} // namespace lorsa
