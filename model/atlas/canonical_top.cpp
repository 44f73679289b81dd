#include "model/atlas/canonical_top.h"

#include "model/atlas/context_batch.h"
#include "model/core/error.h"
#include "model/engine/engine.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace lorsa {

RunResult runContextAlone(const Engine& engine, const AtlasCorpus& corpus, int64_t ordinal, int64_t context, bool mhsaPatterns)
{
    RunRequest request;
    request.lorsa = true;
    if (mhsaPatterns)
        request.modelHooks.names = {blockHook(engine.lorsa()->config().layer, "attn.hook_pattern")};
    return engine.run(makeContextBatch(corpus, {ordinal}, 1, context).tokens, request);
}

bool nearlyEqual(float a, float b)
{
    return std::abs(a - b) <= kTieTolerance * std::max(std::abs(a), std::abs(b));
}

std::vector<std::vector<TopEntry>> canonicalTopLists(const Engine& engine, const AtlasCorpus& corpus, const RunningState& state,
                                                     int64_t top, int64_t context, const std::function<bool()>& cancelled)
{
    auto lists = state.topLists;
    // Candidates whose peak may tie with the N-th: only they can change membership.
    std::map<int64_t, std::vector<int64_t>> headsByContext;
    for (int64_t h = 0; h < state.heads; ++h) {
        const auto& list = lists[static_cast<size_t>(h)];
        if (static_cast<int64_t>(list.size()) <= top)
            continue;
        const auto boundary = list[static_cast<size_t>(top - 1)].activation;
        for (const auto& entry : list)
            if (nearlyEqual(entry.activation, boundary)) {
                const auto ordinal = corpus.find(entry.document, entry.start);
                if (ordinal < 0)
                    throw Error(ErrorKind::InvalidFile, "a top context of head " + std::to_string(h) + " is not in the corpus (damaged atlas)");
                headsByContext[ordinal].push_back(h);
            }
    }
    c10::InferenceMode guard;
    for (const auto& [ordinal, heads] : headsByContext) {
        if (cancelled && cancelled())
            throw Error(ErrorKind::Cancelled, "interrupted while ranking top contexts; rerun with --resume to finish");
        const auto& span = corpus.contexts[static_cast<size_t>(ordinal)];
        const auto run = runContextAlone(engine, corpus, ordinal, context, false);
        const auto index = at::tensor(heads, at::kLong).to(engine.device());
        // [len-1, n]: the candidate heads at the context's non-BOS positions.
        const auto acts = run.lorsa->featureActs.select(0, 0).narrow(0, 1, span.length).index_select(1, index).to(at::kCPU, at::kFloat);
        const auto peaks = acts.amax(0).contiguous();
        const auto positions = acts.argmax(0).contiguous();  // the first maximal position
        for (size_t i = 0; i < heads.size(); ++i)
            for (auto& entry : lists[static_cast<size_t>(heads[i])])
                if (entry.document == span.document && entry.start == span.start) {
                    entry.activation = peaks.data_ptr<float>()[i];
                    entry.position = positions.data_ptr<int64_t>()[i] + 1;
                }
    }
    for (auto& list : lists) {
        std::stable_sort(list.begin(), list.end(), ranksBefore);
        if (static_cast<int64_t>(list.size()) > top)
            list.resize(static_cast<size_t>(top));
    }
    return lists;
}

} // namespace lorsa
