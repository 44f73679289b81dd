#pragma once
// Realistic synthetic analyses for widget tests: causal softmax patterns, sparse top-k heads,
// a prompt with spaces, newlines and non-ASCII tokens. Deterministic for a given seed.

#include "model/engine/analysis.h"
#include "model/engine/explorer_result.h"

namespace lorsa::test {

PromptAnalysisPtr makeAnalysis(int tokens, int ovHeads = 64, int qkHeads = 8, unsigned seed = 1);
HeadDetailPtr makeDetail(const PromptAnalysis& analysis, int lorsaHead, int mhsaHead, int query, unsigned seed = 2);
/// The result a request for \p detail's selection on \p analysis returns (null detail: model only).
ExplorerResultPtr makeResult(PromptAnalysisPtr analysis, HeadDetailPtr detail = nullptr);

} // namespace lorsa::test
