#include "model/atlas/atlas_identity.h"

#include "model/core/error.h"
#include "model/core/fingerprint.h"
#include "model/engine/engine.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace lorsa {
namespace {

std::string folderName(const std::filesystem::path& dir)
{
    auto normal = dir.lexically_normal();
    if (normal.filename().empty())
        normal = normal.parent_path();
    if (normal.filename() == "." || normal.empty())
        normal = std::filesystem::absolute(dir).lexically_normal();
    return normal.filename().string();
}

/// An atlas (and SQLite's files beside it) kept in the Lorsa folder, where the explorer looks for
/// it: not part of the Lorsa, or writing it would change the identity it records.
bool isAtlasFile(const std::filesystem::path& file)
{
    const auto name = file.filename().string();
    for (const std::string suffix : {".sqlite", ".sqlite-journal", ".sqlite-wal", ".sqlite-shm"})
        if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            return true;
    return false;
}

/// A cheap fingerprint of the files beside config.json: names, sizes and the first and last MiB
/// of each (two Lorsas of the same config differ there).
std::string weightsHash(const std::filesystem::path& dir)
{
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
        if (entry.is_regular_file() && entry.path().filename() != "config.json" && !isAtlasFile(entry.path()))
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    constexpr std::streamoff kSample = 1 << 20;
    std::string bytes;
    for (const auto& file : files) {
        const auto size = static_cast<std::streamoff>(std::filesystem::file_size(file));
        bytes += file.lexically_relative(dir).string() + '\0' + std::to_string(size) + '\0';
        std::ifstream in(file, std::ios::binary);
        for (const auto offset : {std::streamoff(0), std::max<std::streamoff>(0, size - kSample)}) {
            std::string chunk(static_cast<size_t>(std::min(kSample, size)), '\0');
            in.seekg(offset);
            in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
            bytes += chunk;
        }
    }
    return fnv1aHex(bytes);
}

} // namespace

AtlasIdentity atlasIdentity(const Engine& engine, const std::filesystem::path& modelDir, const std::filesystem::path& lorsaDir)
{
    const auto* sae = engine.lorsa();
    if (!sae)
        throw Error(ErrorKind::InvalidInput, "an atlas needs a Lorsa (--lorsa DIR)");
    AtlasIdentity id;
    id.modelName = engine.model().config().name;
    id.modelFolder = folderName(modelDir);
    id.modelConfigHash = configFingerprint(modelDir);
    id.lorsaName = sae->config().name;
    id.lorsaFolder = folderName(lorsaDir);
    id.lorsaConfigHash = configFingerprint(lorsaDir) + "-" + weightsHash(lorsaDir);
    id.layer = sae->config().layer;
    id.nOvHeads = sae->config().nOvHeads;
    id.nQkHeads = sae->config().nQkHeads;
    id.nMhsaHeads = engine.model().config().nHeads;
    return id;
}

} // namespace lorsa
