#pragma once
/// \file
/// Batches of contexts as the atlas runs them: always [batch, C] (short contexts and missing rows
/// padded with BOS), so that every context is computed in the same shapes whichever contexts
/// share its batch. That keeps results bit-identical between a whole run, a resumed run, the
/// recomputation of top contexts and the shards of a corpus. Engine-internal (ATen).

#include "model/atlas/atlas_corpus.h"

#include <ATen/ATen.h>

#include <vector>

namespace lorsa {

struct ContextBatch {
    at::Tensor tokens;              // [batch, C] int64 on the CPU
    std::vector<int64_t> lengths;   // (batch) context lengths with BOS, 0 for a padding row
    std::vector<int64_t> ordinals;  // (batch) context indices, -1 for a padding row
};

/// The contexts \p ordinals (at most \p batch of them) of \p corpus.
ContextBatch makeContextBatch(const AtlasCorpus& corpus, const std::vector<int64_t>& ordinals, int64_t batch, int64_t context);

} // namespace lorsa
