#include "model/engine/selection_intent.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace lorsa {
namespace {

int32_t lastToken(const PromptAnalysis& analysis)
{
    return std::max<int32_t>(0, static_cast<int32_t>(analysis.tokens.size()) - 1);
}

int32_t strongestToken(const PromptAnalysis& analysis, int32_t head)
{
    int32_t best = lastToken(analysis);
    float bestValue = 0;
    for (size_t t = 0; t < analysis.active.size(); ++t)
        for (const HeadActivation& active : analysis.active[t])
            if (active.head == head && std::abs(active.activation) > bestValue) {
                bestValue = std::abs(active.activation);
                best = static_cast<int32_t>(t);
            }
    return best;
}

int32_t strongestAt(const PromptAnalysis& analysis, int32_t token, int32_t fallback)
{
    if (token < 0 || static_cast<size_t>(token) >= analysis.active.size() || analysis.active[size_t(token)].empty())
        return fallback;
    return analysis.active[size_t(token)].front().head;  // sorted by activation, descending
}

} // namespace

std::optional<HeadAtToken> strongestInductionHead(const PromptAnalysis& analysis)
{
    if (!analysis.session || analysis.session->qkHeadScores.empty() || analysis.session->nQkHeads <= 0)
        return std::nullopt;
    const auto& constants = *analysis.session;
    const auto& scores = constants.qkHeadScores;
    const auto best = std::max_element(scores.begin(), scores.end(), [](const HeadScore& a, const HeadScore& b) { return a.induction < b.induction; });
    // Several QK heads are often induction heads alike: any within 10% of the best qualifies.
    std::vector<bool> induction(static_cast<size_t>(constants.nQkHeads), false);
    for (const auto& score : scores)
        if (score.head >= 0 && score.head < constants.nQkHeads && score.induction >= 0.9 * best->induction)
            induction[static_cast<size_t>(score.head)] = true;
    const auto qkHeadOf = [&](int32_t ov) {
        return ov >= 0 && static_cast<size_t>(ov) < constants.qkHeadOfOv.size() ? constants.qkHeadOfOv[static_cast<size_t>(ov)] : -1;
    };
    // Induction shows where a token repeats one seen earlier: only such queries count (the
    // first tokens of a prompt have large activations of every kind).
    std::set<int64_t> seen;
    std::optional<HeadAtToken> found;
    float strongest = 0;
    for (size_t token = 0; token < analysis.active.size() && token < analysis.tokens.size(); ++token) {
        if (seen.insert(analysis.tokens[token].id).second || token == 0)
            continue;
        for (const auto& active : analysis.active[token]) {
            const auto qk = qkHeadOf(active.head);
            if (qk >= 0 && qk < constants.nQkHeads && induction[static_cast<size_t>(qk)] && active.activation > strongest) {
                strongest = active.activation;
                found = HeadAtToken{active.head, static_cast<int32_t>(token)};
            }
        }
    }
    return found;
}

Selection resolveSelection(const PromptAnalysis& analysis, const SelectionIntent& intent)
{
    Selection out;
    out.mhsaHead = intent.selection.mhsaHead;
    const int32_t heads = analysis.session ? analysis.session->nOvHeads : 0;
    const int32_t keptHead = heads > 0 ? std::clamp(intent.selection.lorsaHead, 0, heads - 1) : 0;
    switch (intent.query) {
    case SelectionIntent::Query::Keep:
        out.queryToken = std::clamp(intent.selection.queryToken, 0, lastToken(analysis));
        break;
    case SelectionIntent::Query::FollowEnd:
        out.queryToken = lastToken(analysis);
        break;
    case SelectionIntent::Query::StrongestForHead:
        out.queryToken = strongestToken(analysis, keptHead);
        break;
    }
    if (heads <= 0)
        return out;
    out.lorsaHead = keptHead;
    if (intent.head == SelectionIntent::Head::StrongestInduction) {
        if (const auto found = strongestInductionHead(analysis)) {
            out.lorsaHead = found->head;
            out.queryToken = found->token;
            return out;
        }
    }
    if (intent.head != SelectionIntent::Head::Keep)
        out.lorsaHead = strongestAt(analysis, out.queryToken, 0);
    return out;
}

} // namespace lorsa
