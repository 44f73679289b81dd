#include "model/core/atomic_file.h"

#include "model/core/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace lorsa {
namespace {

std::filesystem::path temporarySibling(const std::filesystem::path& path)
{
    std::random_device entropy;
    const auto suffix = std::to_string(entropy()) + std::to_string(::getpid());
    return path.parent_path() / ("." + path.filename().string() + ".tmp-" + suffix);
}

void syncToDisk(const std::filesystem::path& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0)
        return;
    ::fsync(fd);
    ::close(fd);
}

} // namespace

void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write)
{
    const auto temporary = temporarySibling(path.has_parent_path() ? path : std::filesystem::path(".") / path);
    try {
        {
            std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
            if (!out)
                throw Error(ErrorKind::InvalidFile, path.string() + ": cannot create a file in this folder (" + std::strerror(errno) + ")");
            write(out);
            out.flush();
            if (!out)
                throw Error(ErrorKind::InvalidFile, path.string() + ": writing failed (disk full or I/O error)");
        }
        syncToDisk(temporary);
        std::error_code renameError;
        std::filesystem::rename(temporary, path, renameError);
        if (renameError)
            throw Error(ErrorKind::InvalidFile, path.string() + ": cannot replace the file: " + renameError.message());
        syncToDisk(path.has_parent_path() ? path.parent_path() : std::filesystem::path("."));
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw;
    }
}

void writeFileAtomically(const std::filesystem::path& path, std::string_view content)
{
    writeFileAtomically(path, [content](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); });
}

} // namespace lorsa
