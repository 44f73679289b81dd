#pragma once
/// \file
/// The exact top lists: batched matmuls round a context's activations slightly differently
/// depending on its row in the batch, so the running top lists of the batched pass carry a few
/// extra candidates per head (kTopMargin), and each candidate context is then recomputed alone in
/// the fixed shape [1, C]. Those values depend on the context only: contexts sharing a prefix tie
/// exactly (broken by the lower (document, start)), and a rerun, a resumed run and merged shards
/// all rank the same. Engine-internal.

#include "model/atlas/atlas_corpus.h"
#include "model/atlas/running_state.h"
#include "model/engine/engine.h"

#include <ATen/ATen.h>

#include <functional>

namespace lorsa {

/// Extra candidates per head the batched pass keeps beyond --top.
inline constexpr int64_t kTopMargin = 8;

/// Context \p ordinal alone through the engine as [1, C] (BOS-padded).
RunResult runContextAlone(const Engine& engine, const AtlasCorpus& corpus, int64_t ordinal, int64_t context, bool mhsaPatterns);

/// Recomputes every candidate of \p state alone and returns the top \p top per head by those
/// values (ranksBefore), peaks and positions recomputed. \p cancelled is polled per context.
std::vector<std::vector<TopEntry>> canonicalTopLists(const Engine& engine, const AtlasCorpus& corpus, const RunningState& state,
                                                     int64_t top, int64_t context, const std::function<bool()>& cancelled);

} // namespace lorsa
