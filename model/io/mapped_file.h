#pragma once
/// \file
/// A read-only memory mapping of a whole file, shared by the tensors that alias its bytes.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace lorsa {

/// The bytes of a file mapped read-only. Tensors loaded from it hold a shared_ptr to it so the
/// mapping outlives the TensorSource that created them.
class MappedFile {
public:
    /// Maps \p file. Throws Error(InvalidFile) naming the file when it cannot be opened or mapped.
    static std::shared_ptr<const MappedFile> open(const std::filesystem::path& file);

    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    const uint8_t* data() const { return m_data; }
    uint64_t size() const { return m_size; }

private:
    MappedFile(std::filesystem::path path, const uint8_t* data, uint64_t size);

    std::filesystem::path m_path;
    const uint8_t* m_data;  // nullptr for an empty file (mmap refuses length 0)
    uint64_t m_size;
};

} // namespace lorsa
