#pragma once
/// \file
/// The identity an atlas records of the model and Lorsa it was built from. Engine-internal.

#include "model/atlas/atlas_types.h"

#include <filesystem>

namespace lorsa {

class Engine;

/// Names, folder names, config hashes (FNV-1a of config.json) and shape of \p engine's model and
/// Lorsa, loaded from \p modelDir and \p lorsaDir.
AtlasIdentity atlasIdentity(const Engine& engine, const std::filesystem::path& modelDir, const std::filesystem::path& lorsaDir);

} // namespace lorsa
