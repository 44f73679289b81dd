#pragma once
/// \file
/// Fingerprints that name a checkpoint in records (atlases, exported data): FNV-1a 64, fast and
/// stable across platforms, not a security hash.

#include <filesystem>
#include <string>

namespace lorsa {

/// FNV-1a 64-bit of \p bytes as 16 hex digits.
std::string fnv1aHex(const std::string& bytes);

/// fnv1aHex of \p dir's config.json; throws Error(InvalidFile) naming it when it cannot be read.
std::string configFingerprint(const std::filesystem::path& dir);

} // namespace lorsa
