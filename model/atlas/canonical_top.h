#pragma once
/// \file
/// Settling the top lists exactly. Batched matmuls round a context's activations slightly
/// differently depending on its row in the batch (~1e-7 relative), so the batched pass keeps a
/// few extra candidates per head (kTopMargin). Where candidates tie up to kTieTolerance at the
/// boundary of the top N, they are recomputed alone in the fixed shape [1, C], whose values
/// depend on the context only; the finalizer then recomputes every final context in that shape
/// and orders the list by those values. So contexts sharing a prefix tie exactly (broken by the
/// lower (document, start)), and a rerun, a resumed run and merged shards rank the same.
/// Engine-internal.

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

/// Relative difference below which two peaks may be a tie blurred by batch rounding.
inline constexpr double kTieTolerance = 1e-4;
bool nearlyEqual(float a, float b);

/// The final members of each head's top \p top (values of the batched pass except where the
/// boundary was settled by recomputing), best first. \p cancelled is polled per context.
std::vector<std::vector<TopEntry>> canonicalTopLists(const Engine& engine, const AtlasCorpus& corpus, const RunningState& state,
                                                     int64_t top, int64_t context, const std::function<bool()>& cancelled);

} // namespace lorsa
