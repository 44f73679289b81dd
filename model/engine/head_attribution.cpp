#include "model/engine/head_attribution.h"

#include "model/engine/engine.h"

#include <c10/core/InferenceMode.h>

#include <cmath>

namespace lorsa {

HeadAttribution::HeadAttribution(const Engine& engine)
    : m_engine(engine)
{
    c10::InferenceMode guard;
    m_decoderNorms = engine.lorsa()->outputWeights().to(at::kFloat).norm(2, {1}).to(at::kCPU);
    const auto embedding = engine.model().embedding().to(at::kFloat); // [V,d]
    const double eps = engine.model().config().normEps;
    if (engine.model().config().norm == NormKind::LayerNorm) {
        m_embeddingMean = embedding.mean(1);
        m_embeddingScale = (embedding.var(1, false) + eps).sqrt();
    } else {
        m_embeddingMean = at::zeros({embedding.size(0)}, embedding.options());
        m_embeddingScale = (embedding.pow(2).mean(1) + eps).sqrt();
    }
}

std::vector<TokenScore> HeadAttribution::topTokens(const at::Tensor& scores, int count) const
{
    const auto vocab = std::min<int64_t>(scores.size(0), m_engine.tokenizer().vocabSize());
    const auto values = scores.narrow(0, 0, vocab).to(at::kCPU, at::kFloat);
    const auto top = values.topk(std::min<int64_t>(count, vocab));
    std::vector<TokenScore> tokens;
    for (int64_t j = 0; j < std::get<1>(top).numel(); ++j) {
        const auto id = std::get<1>(top)[j].item<int64_t>();
        tokens.push_back({id, m_engine.tokenizer().tokenText(id), std::get<0>(top)[j].item<float>()});
    }
    return tokens;
}

std::vector<TokenScore> HeadAttribution::promotedTokens(int64_t head, int count) const
{
    c10::InferenceMode guard;
    const auto output = m_engine.lorsa()->outputWeights()[head].to(at::kFloat);     // [d]
    const auto unembedding = m_engine.model().unembedding().to(at::kFloat);        // [d,V]
    return topTokens(at::matmul(output, unembedding), count);
}

std::vector<TokenScore> HeadAttribution::valueTokens(int64_t head, int count) const
{
    c10::InferenceMode guard;
    auto value = m_engine.lorsa()->valueWeights()[head].to(at::kFloat);            // [d]
    if (m_engine.inputMode().chosen == LorsaInputMode::Affine) {
        // The affine input is x*gamma + beta: its beta term is the same for every token.
        const auto zero = at::zeros_like(value);
        value = (m_engine.model().applyLn1Affine(m_engine.lorsa()->config().layer, value.to(m_engine.dtype())) -
                 m_engine.model().applyLn1Affine(m_engine.lorsa()->config().layer, zero.to(m_engine.dtype())))
                    .to(at::kFloat);
    }
    const auto embedding = m_engine.model().embedding().to(at::kFloat);            // [V,d]
    const auto scores = (at::matmul(embedding, value) - m_embeddingMean * value.sum()) / m_embeddingScale;
    return topTokens(scores, count);
}

at::Tensor meanJensenShannonDistance(const at::Tensor& pattern, const at::Tensor& heads)
{
    const auto p = pattern.to(at::kDouble).unsqueeze(0);  // [1,T,T]
    const auto q = heads.to(at::kDouble);                 // [H,T,T]
    const auto m = 0.5 * (p + q);
    // xlogy(0, 0) = 0: masked keys contribute nothing.
    const auto klP = (at::xlogy(p, p) - at::xlogy(p, m)).sum(-1);
    const auto klQ = (at::xlogy(q, q) - at::xlogy(q, m)).sum(-1);
    const auto divergence = (0.5 * (klP + klQ) / std::log(2.0)).clamp_min(0.0);  // [H,T] bits
    return divergence.sqrt().mean(-1).to(at::kFloat);
}

} // namespace lorsa
