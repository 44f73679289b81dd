#pragma once
/// \file
/// What a Lorsa head reads and writes in token terms, and how its QK pattern compares with the
/// model's own heads. Engine-internal.

#include "model/engine/analysis.h"

#include <ATen/ATen.h>

#include <unordered_map>
#include <vector>

namespace lorsa {

class Engine;

/// The tokens a Lorsa head writes towards and reads from.
struct HeadTokens {
    std::vector<TokenScore> promoted;  ///< top tokens of w_o^i . W_U (direct logit effect)
    std::vector<TokenScore> suppressed;  ///< bottom tokens of w_o^i . W_U, most negative first
    std::vector<TokenScore> value;     ///< top tokens whose normalised embeddings drive w_v^i
};

/// Token attributions of Lorsa heads through the model's embedding and unembedding, computed
/// in batches of heads and cached for the session (a head's weights never change).
class HeadAttribution {
public:
    static constexpr int kTopTokens = 10;

    /// Without \p valueTokens only the unembedding side is computed (HeadTokens::value stays
    /// empty): an atlas lists promoted and suppressed tokens of every head and needs no more.
    explicit HeadAttribution(const Engine& engine, bool valueTokens = true);

    /// |w_o^i| in model units: [n_ov] float32 on the CPU.
    const at::Tensor& decoderNorms() const { return m_decoderNorms; }
    /// Computes the heads not yet cached, in batches.
    void prepare(const std::vector<int64_t>& heads);
    bool isCached(int64_t head) const { return m_cache.count(head) != 0; }
    /// The cached attribution of \p head (computed first if needed).
    const HeadTokens& tokensOf(int64_t head);

private:
    std::vector<std::vector<TokenScore>> topTokens(const at::Tensor& scores) const; // scores [V,n] -> n lists

    const Engine& m_engine;
    bool m_valueTokens = true;
    at::Tensor m_decoderNorms;    // [n_ov]
    at::Tensor m_embeddingMean;   // [V] per-row mean (LayerNorm models) or zeros
    at::Tensor m_embeddingScale;  // [V] per-row std (LayerNorm) or rms (RMSNorm)
    std::unordered_map<int64_t, HeadTokens> m_cache;
};

/// Mean over query rows of the Jensen-Shannon distance (base 2, in [0,1]) between the rows of
/// \p pattern [T,T] and those of each of \p heads [H,T,T]: [H]. Lower means more similar.
at::Tensor meanJensenShannonDistance(const at::Tensor& pattern, const at::Tensor& heads);

} // namespace lorsa
