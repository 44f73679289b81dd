#pragma once
/// \file
/// `lorsa atlas merge`: combines the atlases of disjoint shards of one corpus (`lorsa index
/// --shard I/K`) into the atlas of all of them: counts, sums and histograms added, maxima taken,
/// top lists merged by activation with ties to the lower (document, start), and each winning
/// top context's recorded activations and z-pattern copied from its shard. No LibTorch.

#include <filesystem>
#include <vector>

namespace lorsa {

struct MergeResult {
    int64_t shards = 0;
    int64_t tokens = 0;
};

/// Writes \p out (atomically: a temporary file renamed over it; annotations an existing \p out
/// held are kept). Throws Error(InvalidInput) for shards that are unfinished, of different Lorsas,
/// corpora or settings, or repeated; Error(InvalidFile) for files that are not atlases.
MergeResult mergeAtlases(const std::filesystem::path& out, const std::vector<std::filesystem::path>& shards);

} // namespace lorsa
