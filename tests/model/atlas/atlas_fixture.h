#pragma once
// A tiny gpt2 model, a Lorsa on its layer 1 and a small corpus, written for the atlas suites,
// and helpers to run lorsa index's engine on them and compare atlases.

#include "model/atlas/atlas_indexer.h"
#include "model/engine/engine.h"
#include "tests/model/atlas/fixture_corpus.h"
#include "tests/support/temp_dir.h"

#include <filesystem>
#include <string>

namespace lorsa::test {

struct AtlasFixture {
    TempDir dir;
    std::filesystem::path model;
    std::filesystem::path lorsa;
    std::filesystem::path otherLorsa;   ///< same config, other weights
    std::filesystem::path corpus;       ///< blank-line separated documents

    AtlasFixture();
    EngineOptions engineOptions(const std::filesystem::path& lorsaDir) const;
    /// --context 16, --top 5, --batch 4 onto \p out.
    IndexOptions indexOptions(const std::filesystem::path& out) const;
};

/// Every row of every result table, in order, as text (activation_sum excluded when
/// \p withSums is false): two atlases with equal dumps hold the same content.
std::string dumpAtlas(const std::filesystem::path& atlas, bool withSums = true);

} // namespace lorsa::test
