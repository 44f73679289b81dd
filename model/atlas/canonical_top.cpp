#include "model/atlas/canonical_top.h"

#include "model/atlas/context_batch.h"
#include "model/core/error.h"
#include "model/engine/engine.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
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

std::vector<std::vector<TopEntry>> canonicalTopLists(const Engine& engine, const AtlasCorpus& corpus, const RunningState& state,
                                                     int64_t top, int64_t context, const std::function<bool()>& cancelled)
{
    std::map<int64_t, std::vector<int64_t>> headsByContext;
    for (int64_t h = 0; h < state.heads; ++h)
        for (const auto& entry : state.topLists[static_cast<size_t>(h)]) {
            const auto ordinal = corpus.find(entry.document, entry.start);
            if (ordinal < 0)
                throw Error(ErrorKind::InvalidFile, "a top context of head " + std::to_string(h) + " is not in the corpus (damaged atlas)");
            headsByContext[ordinal].push_back(h);
        }
    std::vector<std::vector<TopEntry>> lists(static_cast<size_t>(state.heads));
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
        for (size_t i = 0; i < heads.size(); ++i) {
            const auto peak = peaks.data_ptr<float>()[i];
            if (peak > 0)
                lists[static_cast<size_t>(heads[i])].push_back({peak, span.document, span.start, positions.data_ptr<int64_t>()[i] + 1});
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
