#pragma once
/// \file
/// What `lorsa bench-index` measures: lorsa index's engine (batched, running top-N on the device,
/// only the blocks up to the Lorsa's layer) against the same statistics computed naively (one
/// context at a time through Engine::run, every context's per-head maxima kept, at::topk at the
/// end), in the same process on the same corpus. Plain header.

#include "model/atlas/atlas_indexer.h"

namespace lorsa {

struct IndexBenchmarkResult {
    int64_t tokens = 0;               ///< corpus tokens (BOS excluded)
    int64_t contexts = 0;
    double oursSeconds = 0;           ///< indexAtlas end to end (index + top contexts + head table)
    double oursIndexSeconds = 0;      ///< its batched pass alone
    double oursTokensPerSecond = 0;
    double naiveSeconds = 0;
    double naiveTokensPerSecond = 0;
    double peakRssAfterOursMb = 0;    ///< process peak after our run (before the naive one)
    double peakRssAfterNaiveMb = 0;
    bool topAgrees = false;           ///< the naive top-N (documents, starts) equals ours for every head
};

/// Runs indexAtlas(\p options) (into options.out), then the naive pass; \p naiveMaxContexts > 0
/// limits the naive pass to that many contexts (its rate is still per token).
IndexBenchmarkResult runIndexBenchmark(const Engine& engine, const IndexOptions& options, int64_t naiveMaxContexts = 0);

} // namespace lorsa
