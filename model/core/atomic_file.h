#pragma once
/// \file
/// Writing files so that a reader never sees a half-written one: the bytes go to a temporary
/// file beside the target, are flushed to disk, and replace the target with one rename.

#include <filesystem>
#include <functional>
#include <ostream>
#include <string_view>

namespace lorsa {

/// Calls \p write with a stream onto a temporary file in the target's folder, then renames it
/// over \p path. If \p write throws or the disk fills, the previous file stays untouched and
/// the temporary is removed. Throws Error(InvalidFile) naming \p path on failure.
void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

/// Convenience overload for content already in memory.
void writeFileAtomically(const std::filesystem::path& path, std::string_view content);

} // namespace lorsa
