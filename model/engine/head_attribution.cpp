#include "model/engine/head_attribution.h"

#include "model/core/weight_matmul.h"
#include "model/engine/engine.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace lorsa {

HeadAttribution::HeadAttribution(const Engine& engine, bool valueTokens)
    : m_engine(engine), m_valueTokens(valueTokens)
{
    c10::InferenceMode guard;
    m_decoderNorms = engine.lorsa()->outputWeights().to(at::kFloat).norm(2, {1}).to(at::kCPU);
    // Row statistics a block of rows at a time: the float32 copy of a half-precision [V,d]
    // embedding (and its square) would add 2.4 GB to the peak of opening Qwen3-1.7B.
    const auto& embedding = engine.model().embedding();  // [V,d], possibly kept as stored
    const int64_t vocab = embedding.size(0);
    const double eps = engine.model().config().normEps;
    const bool layerNorm = engine.model().config().norm == NormKind::LayerNorm;
    constexpr int64_t kRowsPerBlock = 4096;
    std::vector<at::Tensor> means, scales;
    for (int64_t first = 0; first < vocab; first += kRowsPerBlock) {
        const auto rows = embedding.narrow(0, first, std::min(kRowsPerBlock, vocab - first)).to(at::kFloat);
        if (layerNorm) {
            means.push_back(rows.mean(1));
            scales.push_back((rows.var(1, false) + eps).sqrt());
        } else {
            scales.push_back((rows.pow(2).mean(1) + eps).sqrt());
        }
    }
    m_embeddingScale = at::cat(scales);
    m_embeddingMean = layerNorm ? at::cat(means) : at::zeros_like(m_embeddingScale);
}

std::vector<std::vector<TokenScore>> HeadAttribution::topTokens(const at::Tensor& scores) const
{
    // The model's vocabulary may have padding rows beyond the tokenizer's: never show those.
    const auto vocab = std::min<int64_t>(scores.size(0), m_engine.tokenizer().vocabSize());
    const auto top = scores.narrow(0, 0, vocab).to(at::kCPU, at::kFloat).topk(std::min<int64_t>(kTopTokens, vocab), 0);
    const auto values = std::get<0>(top).t().contiguous();   // [n,k]
    const auto indices = std::get<1>(top).t().contiguous();  // [n,k]
    std::vector<std::vector<TokenScore>> lists(static_cast<size_t>(values.size(0)));
    for (int64_t i = 0; i < values.size(0); ++i)
        for (int64_t j = 0; j < values.size(1); ++j) {
            const auto id = indices[i][j].item<int64_t>();
            lists[static_cast<size_t>(i)].push_back({id, m_engine.tokenizer().tokenText(id), values[i][j].item<float>()});
        }
    return lists;
}

void HeadAttribution::prepare(const std::vector<int64_t>& heads)
{
    std::vector<int64_t> missing;
    for (const auto head : heads)
        if (!m_cache.count(head))
            missing.push_back(head);
    if (missing.empty())
        return;
    c10::InferenceMode guard;
    const auto& model = m_engine.model();
    const auto layer = m_engine.lorsa()->config().layer;
    // Kept half-precision matrices are read as they are: a keystroke that reaches a few new heads
    // must not convert the [d,V] unembedding and embedding (2.4 GB in float32 for Qwen3-1.7B).
    const auto unembedding = model.unembedding();  // [d,V]
    const auto embedding = model.embedding();      // [V,d]
    constexpr int64_t kBatch = 256;  // bounds the [V, batch] score matrices
    for (size_t begin = 0; begin < missing.size(); begin += kBatch) {
        const auto count = std::min<size_t>(kBatch, missing.size() - begin);
        const auto index = at::tensor(std::vector<int64_t>(missing.begin() + begin, missing.begin() + begin + count), at::kLong)
                               .to(m_engine.device());
        const auto outputs = m_engine.lorsa()->outputWeights().index_select(0, index).to(at::kFloat);  // [n,d]
        auto values = m_engine.lorsa()->valueWeights().index_select(0, index).to(at::kFloat);         // [n,d]
        if (m_engine.inputMode().chosen == LorsaInputMode::Affine) {
            // The affine input is x*gamma + beta; its beta term is the same for every token.
            const auto asModel = values.to(m_engine.dtype());
            values = (model.applyLn1Affine(layer, asModel) - model.applyLn1Affine(layer, at::zeros_like(asModel))).to(at::kFloat);
        }
        const auto logitEffects = matmulWeight(outputs, unembedding).t();                            // [V,n]
        const auto promoted = topTokens(logitEffects);
        auto suppressed = topTokens(-logitEffects);
        for (auto& list : suppressed)
            for (auto& token : list)
                token.score = -token.score;
        std::vector<std::vector<TokenScore>> value(count);
        if (m_valueTokens) {
            const auto products = matmulWeight(values, embedding.t()).t();  // [V,n]
            const auto valueScores = (products - m_embeddingMean.unsqueeze(1) * values.sum(1).unsqueeze(0)) /
                                     m_embeddingScale.unsqueeze(1);
            value = topTokens(valueScores);
        }
        for (size_t i = 0; i < count; ++i)
            m_cache[missing[begin + i]] = {promoted[i], suppressed[i], value[i]};
    }
}

const HeadTokens& HeadAttribution::tokensOf(int64_t head)
{
    prepare({head});
    return m_cache.at(head);
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
