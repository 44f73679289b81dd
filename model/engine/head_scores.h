#pragma once
/// \file
/// The standard attention-head scores (induction, previous-token, duplicate-token, first-token)
/// for every MHSA head of a model and every QK head of a Lorsa layer. Engine-internal (ATen).
///
/// Definitions (fixed so that anyone can reproduce a claim):
///  - Probe sequences: kHeadScoreSequences = 16 sequences [BOS, r_1..r_n, r_1..r_n] with
///    n = min(kHeadScoreRepeatLength = 50, (max tokens - 1) / 2) (or another repeat length, to
///    score heads at longer range); r_1..r_n are drawn without
///    replacement (distinct within a sequence) from the tokenizer's non-special ids below the
///    model's vocabulary, by std::mt19937_64 seeded with kHeadScoreSeed = 0. Without a BOS
///    token the sequence is [r_1..r_n, r_1..r_n].
///  - On a pattern A[t,s] (rows are query positions, each row sums to 1 over s <= t):
///    induction       = mean over positions t of the second copy of A[t, f(t) + 1], f(t) the
///                      first occurrence of token[t];
///    previous_token  = mean over t >= 1 of A[t, t-1];
///    duplicate_token = mean over positions t whose token occurred before of
///                      sum_{s < t, token[s] = token[t]} A[t, s];
///    first_token     = mean over t >= 1 of A[t, 0] (t = 0 attends to itself only).
///  Means run over all probe sequences together.

#include "model/engine/analysis.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lorsa {

class Engine;

inline constexpr int64_t kHeadScoreSequences = 16;
inline constexpr int64_t kHeadScoreRepeatLength = 50;
inline constexpr uint64_t kHeadScoreSeed = 0;

/// Running sums of the four scores over probe sequences, per head.
class HeadScoreAccumulator {
public:
    explicit HeadScoreAccumulator(int64_t heads);

    /// pattern: [B,H,T,T] causal attention; tokens: int64 [B,T]; secondCopyStart: the first
    /// position of the repeated copy (induction is only averaged from there on).
    void add(const at::Tensor& pattern, const at::Tensor& tokens, int64_t secondCopyStart);
    /// The mean scores, labelled with \p kind and \p layer.
    std::vector<HeadScore> scores(const std::string& kind, int64_t layer) const;

private:
    int64_t m_heads;
    at::Tensor m_sums;  // [4,H] float64: induction, previous, duplicate, first
    at::Tensor m_counts;  // [4] float64: positions each score averaged over
};

/// The probe batch: tokens [kHeadScoreSequences, T] and where the second copy starts.
struct HeadScoreProbe {
    at::Tensor tokens;  // [S,T] int64
    int64_t secondCopyStart = 0;
};
HeadScoreProbe headScoreProbe(const Engine& engine, int64_t repeatLength = kHeadScoreRepeatLength);

/// Scores every MHSA head of every layer (of \p onlyLayer alone when given: the forward then
/// stops there) and, when the engine holds a Lorsa, every Lorsa QK head, on probes of
/// \p repeatLength (capped by the context). \p cancelled is polled between passes; true
/// abandons the work with Error(Cancelled).
std::vector<HeadScore> computeHeadScores(const Engine& engine, std::optional<int64_t> onlyLayer = std::nullopt,
                                         const std::function<bool()>& cancelled = {}, int64_t repeatLength = kHeadScoreRepeatLength);

} // namespace lorsa
