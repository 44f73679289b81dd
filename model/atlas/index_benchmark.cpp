#include "model/atlas/index_benchmark.h"

#include "model/atlas/atlas_file.h"
#include "model/atlas/state_store.h"
#include "model/tools/benchmark.h"
#include "model/engine/engine.h"

#include <c10/core/InferenceMode.h>

#include <chrono>

namespace lorsa {

IndexBenchmarkResult runIndexBenchmark(const Engine& engine, const IndexOptions& options, int64_t naiveMaxContexts)
{
    using Clock = std::chrono::steady_clock;
    IndexBenchmarkResult result;
    auto start = Clock::now();
    const auto ours = indexAtlas(engine, options);
    result.oursSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    result.oursIndexSeconds = ours.indexSeconds;
    result.tokens = ours.tokens;
    result.contexts = ours.contexts;
    result.oursTokensPerSecond = static_cast<double>(ours.tokens) / result.oursSeconds;
    result.peakRssAfterOursMb = peakRssMb();

    // The naive pass: contexts one by one, per-head maxima of each kept, topk at the end.
    const auto bos = *bosTokenFor(engine.tokenizer(), engine.model().config().bosTokenId);
    const auto corpus = buildAtlasCorpus(options.corpus, engine.tokenizer(), bos);
    const auto contexts = naiveMaxContexts > 0 ? std::min<int64_t>(naiveMaxContexts, static_cast<int64_t>(corpus.contexts.size()))
                                               : static_cast<int64_t>(corpus.contexts.size());
    c10::InferenceMode guard;
    RunRequest request;
    request.lorsa = true;
    std::vector<at::Tensor> maxima;  // per context [H]
    at::Tensor count, sum;
    int64_t tokens = 0;
    start = Clock::now();
    for (int64_t c = 0; c < contexts; ++c) {
        const auto ids = corpus.contextTokens(static_cast<size_t>(c));
        const auto acts = engine.run(at::tensor(ids, at::kLong).unsqueeze(0), request).lorsa->featureActs[0].narrow(0, 1, static_cast<int64_t>(ids.size()) - 1).to(at::kFloat);  // [T-1,H]
        const auto active = acts != 0;
        count = count.defined() ? count + active.sum(0) : active.sum(0);
        sum = sum.defined() ? sum + acts.to(at::kDouble).sum(0) : acts.to(at::kDouble).sum(0);
        maxima.push_back(acts.amax(0));
        tokens += static_cast<int64_t>(ids.size()) - 1;
    }
    const auto all = at::stack(maxima);  // [contexts,H]
    const auto top = at::topk(all, std::min<int64_t>(options.top, contexts), 0);
    result.naiveSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    result.naiveTokensPerSecond = static_cast<double>(tokens) / result.naiveSeconds;
    result.peakRssAfterNaiveMb = peakRssMb();

    // Agreement where both saw the same contexts (the whole corpus).
    if (contexts == static_cast<int64_t>(corpus.contexts.size())) {
        AtlasFile atlas(options.out, AtlasFile::Access::ReadOnly);
        const auto state = readRunningState(atlas, all.size(1), options.top);
        const auto values = std::get<0>(top).to(at::kCPU).contiguous();
        result.topAgrees = true;
        for (int64_t h = 0; h < all.size(1) && result.topAgrees; ++h) {
            const auto& list = state.topLists[static_cast<size_t>(h)];
            for (size_t r = 0; r < list.size(); ++r)
                if (std::abs(values[static_cast<int64_t>(r)][h].item<float>() - list[r].activation) > 1e-4f * (1 + std::abs(list[r].activation)))
                    result.topAgrees = false;
        }
    }
    return result;
}

} // namespace lorsa
