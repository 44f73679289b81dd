#pragma once
/// \file
/// The entries of an uncompressed (STORED) zip archive, as torch.save writes them.

#include "model/io/mapped_file.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace lorsa {

/// Where one stored entry's bytes lie in the mapped archive.
struct ZipEntry {
    uint64_t offset = 0;  ///< absolute file offset of the first data byte
    uint64_t size = 0;    ///< bytes (stored: compressed size == uncompressed size)
    uint32_t crc32 = 0;   ///< as the central directory records it
};

/// Reads the central directory (zip64 included) and every local header of a mapped archive and
/// checks each entry's data lies inside the file. Refuses compressed, encrypted and multi-disk
/// archives with Error(InvalidFile) naming the file and the entry.
class ZipArchive {
public:
    explicit ZipArchive(std::shared_ptr<const MappedFile> file);

    const std::map<std::string, ZipEntry>& entries() const { return m_entries; }
    const std::shared_ptr<const MappedFile>& file() const { return m_file; }

private:
    void readCentralDirectory(uint64_t offset, uint64_t size, uint64_t count);

    std::shared_ptr<const MappedFile> m_file;
    std::map<std::string, ZipEntry> m_entries;
};

/// The standard zip CRC-32 (polynomial 0xEDB88320) of \p size bytes.
uint32_t zipCrc32(const uint8_t* data, uint64_t size);

} // namespace lorsa
