#include "model/io/mapped_file.h"

#include "model/core/error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lorsa {
namespace {

// Closes the descriptor on every path out of open(); the mapping stays valid without it.
struct FdGuard {
    int fd;
    ~FdGuard()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

std::shared_ptr<const MappedFile> MappedFile::open(const std::filesystem::path& file)
{
    const FdGuard guard{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
    if (guard.fd < 0)
        throw Error(ErrorKind::InvalidFile, file.string() + ": cannot open (" + std::strerror(errno) + ")");
    struct stat st {};
    if (::fstat(guard.fd, &st) != 0)
        throw Error(ErrorKind::InvalidFile, file.string() + ": cannot read its size (" + std::strerror(errno) + ")");
    if (!S_ISREG(st.st_mode))
        throw Error(ErrorKind::InvalidFile, file.string() + ": not a regular file");
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size == 0)
        return std::shared_ptr<const MappedFile>(new MappedFile(file, nullptr, 0));
    void* address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, guard.fd, 0);
    if (address == MAP_FAILED)
        throw Error(ErrorKind::InvalidFile, file.string() + ": cannot map into memory (" + std::strerror(errno) + ")");
    return std::shared_ptr<const MappedFile>(new MappedFile(file, static_cast<const uint8_t*>(address), size));
}

MappedFile::MappedFile(std::filesystem::path path, const uint8_t* data, uint64_t size)
    : m_path(std::move(path)), m_data(data), m_size(size)
{
}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(const_cast<uint8_t*>(m_data), m_size);
}

} // namespace lorsa
