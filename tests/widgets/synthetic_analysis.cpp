#include "tests/widgets/synthetic_analysis.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace lorsa::test {
namespace {

const char* const kWords[] = {"The", " cat", " sat", " on", " the", " mat", ".", "\n", " Über", " naïve", " 東京", " résumé",
    " and", " then", " it", " ran", "\n\n", " away", ",", " quickly", " <|endoftext|>", "  ", "\t", " 42"};

FloatMatrix causalSoftmax(int n, std::mt19937& rng, double sharpness, int focus)
{
    std::normal_distribution<double> noise(0, 1);
    FloatMatrix m{n, n, std::vector<float>(static_cast<size_t>(n) * n, 0.0f)};
    for (int q = 0; q < n; ++q) {
        double sum = 0;
        std::vector<double> row(static_cast<size_t>(q) + 1);
        for (int k = 0; k <= q; ++k) {
            const double logit = sharpness * noise(rng) + (k == 0 ? 2.0 : 0.0) + (focus >= 0 && k == std::max(q - focus, 0) ? 3.0 : 0.0);
            row[static_cast<size_t>(k)] = std::exp(logit);
            sum += row[static_cast<size_t>(k)];
        }
        for (int k = 0; k <= q; ++k)
            m.values[static_cast<size_t>(q) * n + k] = static_cast<float>(row[static_cast<size_t>(k)] / sum);
    }
    return m;
}

} // namespace

PromptAnalysisPtr makeAnalysis(int tokens, int ovHeads, int qkHeads, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> unit(0, 1);
    auto a = std::make_shared<PromptAnalysis>();
    a->promptText = "The synthetic prompt, \"quoted\",\nover two lines";
    auto session = std::make_shared<SessionConstants>();
    session->modelName = "EleutherAI/pythia-70m";
    session->lorsaName = "lorsa-L3-pythia-70m";
    session->modelPath = "/data/models/pythia-70m";
    session->lorsaPath = "/data/lorsas/pythia-70m/L3";
    session->modelConfigHash = "0123456789abcdef";
    session->lorsaConfigHash = "fedcba9876543210";
    session->layer = 3;
    session->nMhsaHeads = 8;
    session->nQkHeads = qkHeads;
    session->nOvHeads = ovHeads;
    for (int h = 0; h < ovHeads; ++h)
        session->qkHeadOfOv.push_back(h / std::max(1, ovHeads / std::max(1, qkHeads)));
    int64_t byte = 0;
    constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);
    for (int t = 0; t < tokens; ++t) {
        const std::string text = kWords[rng() % kWordCount];
        a->tokens.push_back({1000 + static_cast<int64_t>(rng() % 50000), text, byte, byte + static_cast<int64_t>(text.size())});
        byte += static_cast<int64_t>(text.size());
    }
    for (int h = 0; h < ovHeads; ++h)
        session->decoderNorms.push_back(0.5f + unit(rng));
    a->session = session;
    for (int t = 0; t < tokens; ++t) {
        std::vector<HeadActivation> active;
        const int count = 2 + static_cast<int>(rng() % 6);
        for (int i = 0; i < count; ++i) {
            const int head = static_cast<int>(rng() % static_cast<unsigned>(ovHeads));
            if (std::none_of(active.begin(), active.end(), [head](const HeadActivation& x) { return x.head == head; }))
                active.push_back({head, 0.1f + 5 * unit(rng) * unit(rng)});
        }
        std::sort(active.begin(), active.end(), [](const HeadActivation& x, const HeadActivation& y) { return x.activation > y.activation; });
        float denominator = 0;
        for (const HeadActivation& h : active)
            denominator += std::abs(h.activation) * session->decoderNorms[static_cast<size_t>(h.head)];
        for (HeadActivation& h : active)
            h.share = std::abs(h.activation) * session->decoderNorms[static_cast<size_t>(h.head)] / denominator;
        a->activeCount.push_back(static_cast<float>(active.size()));
        a->fidelity.l0PerToken.push_back(static_cast<float>(active.size()));
        a->fidelity.errorPerToken.push_back(0.05f + 0.3f * unit(rng) * unit(rng) + (t == 0 ? 0.6f : 0.0f));
        a->active.push_back(std::move(active));
    }
    for (int h = 0; h < ovHeads; ++h) {
        std::vector<TokenScore> promoted, values;
        for (int i = 0; i < 5; ++i) {
            promoted.push_back({static_cast<int64_t>(rng() % 50000), kWords[rng() % kWordCount], 3.0f - 0.4f * static_cast<float>(i)});
            values.push_back({static_cast<int64_t>(rng() % 50000), kWords[rng() % kWordCount], 2.0f - 0.3f * static_cast<float>(i)});
        }
        // Drawn without the generator, so that the rest of the analysis stays as it was.
        std::vector<TokenScore> suppressed;
        for (int i = 0; i < 5; ++i)
            suppressed.push_back({int64_t(h * 5 + i), kWords[static_cast<size_t>(h + 3 * i) % kWordCount], -2.5f + 0.4f * static_cast<float>(i)});
        a->headPromotedTokens.push_back(std::move(promoted));
        a->headValueTokens.push_back(std::move(values));
        a->headSuppressedTokens.push_back(std::move(suppressed));
    }
    a->fidelity.fvu = 0.1834;
    a->fidelity.meanL0 = 4.5;
    a->fidelity.cleanLoss = 3.412;
    a->fidelity.splicedLoss = 3.598;
    return a;
}

HeadDetailPtr makeDetail(const PromptAnalysis& analysis, int lorsaHead, int mhsaHead, int query, unsigned seed)
{
    std::mt19937 rng(seed);
    const int n = static_cast<int>(analysis.tokens.size());
    auto d = std::make_shared<HeadDetail>();
    d->lorsaHead = lorsaHead;
    d->qkHead = analysis.session->qkHeadOfOv[static_cast<size_t>(lorsaHead)];
    d->mhsaHead = mhsaHead;
    d->queryToken = query;
    d->lorsaPattern = causalSoftmax(n, rng, 1.2, 1);
    d->mhsaPattern = causalSoftmax(n, rng, 1.0, 1);
    std::normal_distribution<float> value(0, 1);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v)
        x = value(rng);
    d->zPattern = FloatMatrix{n, n, std::vector<float>(static_cast<size_t>(n) * n, 0.0f)};
    d->headActivation.assign(static_cast<size_t>(n), 0.0f);
    for (int q = 0; q < n; ++q) {
        float z = 0;
        for (int k = 0; k <= q; ++k) {
            const float c = d->lorsaPattern.at(q, k) * v[static_cast<size_t>(k)];
            d->zPattern.values[static_cast<size_t>(q) * n + k] = c;
            z += c;
        }
        for (const HeadActivation& h : analysis.active[static_cast<size_t>(q)])
            if (h.head == lorsaHead)
                d->headActivation[static_cast<size_t>(q)] = h.activation;
    }
    const int heads = analysis.session->nMhsaHeads;
    for (int h = 0; h < heads; ++h)
        d->mhsaSimilarity.push_back(0.1f + 0.08f * static_cast<float>((h * 5 + 3) % heads));
    return d;
}

ExplorerResultPtr makeResult(PromptAnalysisPtr analysis, HeadDetailPtr detail)
{
    auto result = std::make_shared<ExplorerResult>();
    result->generation = analysis->generation;
    if (detail) {
        result->selection.lorsaHead = detail->lorsaHead;
        result->selection.queryToken = detail->queryToken;
        result->selection.mhsaHead = detail->mhsaHead;
    }
    result->analysis = std::move(analysis);
    result->detail = std::move(detail);
    return result;
}

} // namespace lorsa::test
