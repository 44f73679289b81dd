#pragma once
/// \file
/// Exporting and importing head annotations (label, note, bookmark) as JSON or CSV, chosen by
/// the file's extension. No LibTorch.
///  - JSON: [{"head": 3, "label": "...", "note": "...", "bookmark": false}, ...]
///  - CSV:  a header line `head,label,note,bookmark`, then one row per head; fields with commas,
///    quotes or newlines are quoted with "" doubling (RFC 4180); bookmark is 0 or 1.

#include "model/atlas/atlas_file.h"

#include <filesystem>

namespace lorsa {

/// Writes every annotation to \p file (atomically). Returns how many.
size_t exportAnnotations(AtlasFile& atlas, const std::filesystem::path& file);

/// Reads \p file and sets each head's annotation (in one transaction), replacing what the atlas
/// had for those heads. Throws Error(InvalidFile) naming the file and entry for bad input and
/// Error(InvalidInput) for a head the atlas does not have. Returns how many.
size_t importAnnotations(AtlasFile& atlas, const std::filesystem::path& file);

} // namespace lorsa
