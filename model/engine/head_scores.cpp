#include "model/engine/head_scores.h"

#include "model/core/error.h"
#include "model/engine/engine.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <random>

namespace lorsa {
namespace {

enum Score : int64_t { kInduction, kPrevious, kDuplicate, kFirst, kScoreCount };

/// Probe sequences per forward pass: bounds the patterns held at once.
constexpr int64_t kSequencesPerPass = 4;

} // namespace

HeadScoreAccumulator::HeadScoreAccumulator(int64_t heads)
    : m_heads(heads)
    , m_sums(at::zeros({kScoreCount, heads}, at::kDouble))
    , m_counts(at::zeros({kScoreCount}, at::kDouble))
{
}

void HeadScoreAccumulator::add(const at::Tensor& patternIn, const at::Tensor& tokensIn, int64_t secondCopyStart)
{
    if (patternIn.dim() != 4 || patternIn.size(1) != m_heads || patternIn.size(2) != patternIn.size(3))
        throw Error(ErrorKind::InvalidInput, "head scores need attention patterns [B," + std::to_string(m_heads) + ",T,T]");
    const int64_t b = patternIn.size(0), t = patternIn.size(2);
    if (tokensIn.dim() != 2 || tokensIn.size(0) != b || tokensIn.size(1) != t)
        throw Error(ErrorKind::InvalidInput, "head scores need tokens [B,T] matching the patterns");
    const auto pattern = patternIn.detach().to(at::kCPU, at::kDouble);        // [B,H,T,T]
    const auto tokens = tokensIn.detach().to(at::kCPU, at::kLong).contiguous();  // [B,T]
    if (t < 2)
        return;
    // Previous and first token: A[t,t-1] and A[t,0] for t >= 1.
    const auto previous = pattern.diagonal(-1, 2, 3);                         // [B,H,T-1]
    const auto first = pattern.select(3, 0).narrow(2, 1, t - 1);              // [B,H,T-1]
    m_sums[kPrevious] += previous.sum(at::IntArrayRef{0, 2});
    m_sums[kFirst] += first.sum(at::IntArrayRef{0, 2});
    m_counts[kPrevious] += static_cast<double>(b * (t - 1));
    m_counts[kFirst] += static_cast<double>(b * (t - 1));

    // Duplicate token: earlier positions holding the same token.
    const auto same = tokens.unsqueeze(2).eq(tokens.unsqueeze(1));            // [B,T,T]
    const auto earlier = at::ones({t, t}, at::kBool).tril(-1);               // s < t
    const auto duplicates = same.logical_and(earlier).to(at::kDouble);        // [B,T,T]
    const auto hasDuplicate = duplicates.sum(-1).gt(0).to(at::kDouble);       // [B,T]
    m_sums[kDuplicate] += (pattern * duplicates.unsqueeze(1)).sum(at::IntArrayRef{0, 2, 3});
    m_counts[kDuplicate] += hasDuplicate.sum().item<double>();

    // Induction: from the second copy to the token after the first occurrence.
    const auto* ids = tokens.data_ptr<int64_t>();
    auto target = at::zeros({b, t, t}, at::kDouble);                          // [B,T,T] one-hot rows
    double positions = 0;
    for (int64_t row = 0; row < b; ++row) {
        for (int64_t q = std::max<int64_t>(secondCopyStart, 1); q < t; ++q) {
            const auto* begin = ids + row * t;
            const auto firstAt = std::find(begin, begin + q, begin[q]) - begin;
            if (firstAt >= q)
                continue;
            target[row][q][firstAt + 1] = 1.0;
            positions += 1;
        }
    }
    m_sums[kInduction] += (pattern * target.unsqueeze(1)).sum(at::IntArrayRef{0, 2, 3});
    m_counts[kInduction] += positions;
}

std::vector<HeadScore> HeadScoreAccumulator::scores(const std::string& kind, int64_t layer) const
{
    const auto mean = m_sums / m_counts.clamp_min(1).unsqueeze(1);  // [4,H]
    std::vector<HeadScore> out;
    for (int64_t h = 0; h < m_heads; ++h) {
        HeadScore s;
        s.kind = kind;
        s.layer = layer;
        s.head = h;
        s.induction = mean[kInduction][h].item<double>();
        s.previousToken = mean[kPrevious][h].item<double>();
        s.duplicateToken = mean[kDuplicate][h].item<double>();
        s.firstToken = mean[kFirst][h].item<double>();
        out.push_back(s);
    }
    return out;
}

HeadScoreProbe headScoreProbe(const Engine& engine, int64_t repeatLength)
{
    const auto& tokenizer = engine.tokenizer();
    const auto& config = engine.model().config();
    const auto bos = bosTokenFor(tokenizer, config.bosTokenId);
    const int64_t room = engine.maxTokens() - (bos ? 1 : 0);
    const int64_t n = std::min<int64_t>(repeatLength, room / 2);
    std::vector<int64_t> pool;
    for (int64_t id = 0; id < std::min(tokenizer.vocabSize(), config.vocabSize); ++id)
        if (!tokenizer.isSpecial(id) && id != bos)
            pool.push_back(id);
    if (n < 2 || static_cast<int64_t>(pool.size()) < n)
        throw Error(ErrorKind::Unsupported, "model '" + config.name + "' is too small for head scores (needs " +
                                                std::to_string(2 * repeatLength) + " positions and as many ordinary tokens)");
    std::mt19937_64 random(kHeadScoreSeed);
    const int64_t length = 2 * n + (bos ? 1 : 0);
    std::vector<int64_t> ids;
    ids.reserve(static_cast<size_t>(kHeadScoreSequences * length));
    for (int64_t s = 0; s < kHeadScoreSequences; ++s) {
        // A partial Fisher-Yates shuffle draws n distinct tokens, the same on every platform.
        for (int64_t i = 0; i < n; ++i) {
            const auto span = static_cast<uint64_t>(static_cast<int64_t>(pool.size()) - i);
            const auto j = i + static_cast<int64_t>(random() % span);
            std::swap(pool[static_cast<size_t>(i)], pool[static_cast<size_t>(j)]);
        }
        if (bos)
            ids.push_back(*bos);
        for (int repeat = 0; repeat < 2; ++repeat)
            ids.insert(ids.end(), pool.begin(), pool.begin() + n);
    }
    HeadScoreProbe probe;
    probe.tokens = at::tensor(ids, at::kLong).view({kHeadScoreSequences, length});
    probe.secondCopyStart = n + (bos ? 1 : 0);
    return probe;
}

std::vector<HeadScore> computeHeadScores(const Engine& engine, std::optional<int64_t> onlyLayer, const std::function<bool()>& cancelled,
                                         int64_t repeatLength)
{
    c10::InferenceMode guard;
    const auto probe = headScoreProbe(engine, repeatLength);
    const auto& config = engine.model().config();
    const auto* lorsa = engine.lorsa();
    if (onlyLayer && (*onlyLayer < 0 || *onlyLayer >= config.nLayers))
        throw Error(ErrorKind::InvalidInput, "layer " + std::to_string(*onlyLayer) + " is not in the model (0.." +
                                                 std::to_string(config.nLayers - 1) + ")");
    std::vector<int64_t> layers;
    for (int64_t layer = onlyLayer.value_or(0); layer <= onlyLayer.value_or(config.nLayers - 1); ++layer)
        layers.push_back(layer);
    // One accumulator per layer, each with its own tensors (copies would share them).
    std::vector<HeadScoreAccumulator> model;
    for (size_t i = 0; i < layers.size(); ++i)
        model.emplace_back(config.nHeads);
    std::optional<HeadScoreAccumulator> lorsaScores;
    std::vector<int64_t> qkHeads;
    if (lorsa) {
        lorsaScores.emplace(lorsa->config().nQkHeads);
        for (int64_t h = 0; h < lorsa->config().nQkHeads; ++h)
            qkHeads.push_back(h);
    }
    const auto patternHook = [](int64_t layer) { return blockHook(layer, "attn.hook_pattern"); };
    RunRequest request;
    for (int64_t layer : layers)
        request.modelHooks.names.insert(patternHook(layer));
    request.lorsa = lorsa != nullptr;
    request.cancelled = cancelled;
    for (int64_t start = 0; start < kHeadScoreSequences; start += kSequencesPerPass) {
        if (cancelled && cancelled())
            throw Error(ErrorKind::Cancelled, "head scoring cancelled");
        const auto tokens = probe.tokens.narrow(0, start, std::min(kSequencesPerPass, kHeadScoreSequences - start));
        const auto result = engine.run(tokens, request);
        for (size_t i = 0; i < layers.size(); ++i)
            model[i].add(result.cache.at(patternHook(layers[i])), tokens, probe.secondCopyStart);
        if (lorsa)
            lorsaScores->add(lorsa->patterns(result.lorsaInput, qkHeads), tokens, probe.secondCopyStart);
    }
    std::vector<HeadScore> out;
    for (size_t i = 0; i < layers.size(); ++i) {
        const auto scores = model[i].scores("mhsa", layers[i]);
        out.insert(out.end(), scores.begin(), scores.end());
    }
    if (lorsa) {
        const auto scores = lorsaScores->scores("lorsa_qk", lorsa->config().layer);
        out.insert(out.end(), scores.begin(), scores.end());
    }
    return out;
}

} // namespace lorsa
