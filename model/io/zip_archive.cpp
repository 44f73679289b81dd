#include "model/io/zip_archive.h"

#include "model/core/error.h"

#include <array>

namespace lorsa {
namespace {

constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kZip64End = 0x06064b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint64_t kEndSize = 22;
constexpr uint64_t kMaxComment = 0xffff;

// Bounds-checked little-endian reads from the mapping; every read of the archive goes through here.
class Reader {
public:
    explicit Reader(const MappedFile& file) : m_file(file) {}

    [[noreturn]] void fail(const std::string& problem) const
    {
        throw Error(ErrorKind::InvalidFile, m_file.path().string() + ": " + problem);
    }
    uint64_t read(uint64_t offset, int bytes) const
    {
        if (offset > m_file.size() || static_cast<uint64_t>(bytes) > m_file.size() - offset)
            fail("zip structure at byte " + std::to_string(offset) + " runs past the end of the file (truncated?)");
        uint64_t value = 0;
        for (int i = bytes - 1; i >= 0; --i)
            value = (value << 8) | m_file.data()[offset + static_cast<uint64_t>(i)];
        return value;
    }
    uint16_t u16(uint64_t offset) const { return static_cast<uint16_t>(read(offset, 2)); }
    uint32_t u32(uint64_t offset) const { return static_cast<uint32_t>(read(offset, 4)); }
    uint64_t u64(uint64_t offset) const { return read(offset, 8); }
    std::string text(uint64_t offset, uint64_t length) const
    {
        if (offset > m_file.size() || length > m_file.size() - offset)
            fail("zip entry name at byte " + std::to_string(offset) + " runs past the end of the file");
        return {reinterpret_cast<const char*>(m_file.data() + offset), static_cast<size_t>(length)};
    }

private:
    const MappedFile& m_file;
};

} // namespace

ZipArchive::ZipArchive(std::shared_ptr<const MappedFile> file) : m_file(std::move(file))
{
    const Reader in(*m_file);
    const uint64_t size = m_file->size();
    if (size < kEndSize)
        in.fail("not a zip archive (" + std::to_string(size) + " bytes, too short for a zip end record)");
    // The end record sits in the last 22 + (comment up to 64 kB) bytes; search backwards.
    uint64_t end = size - kEndSize;
    const uint64_t lowest = size - kEndSize > kMaxComment ? size - kEndSize - kMaxComment : 0;
    while (in.u32(end) != kEndOfCentralDirectory || end + kEndSize + in.u16(end + 20) > size) {
        if (end == lowest)
            in.fail("not a zip archive or truncated: no end-of-central-directory record");
        --end;
    }
    uint64_t count = in.u16(end + 10);
    uint64_t directorySize = in.u32(end + 12);
    uint64_t directoryOffset = in.u32(end + 16);
    if (in.u16(end + 4) != 0 || in.u16(end + 6) != 0 || in.u16(end + 8) != count)
        in.fail("multi-disk zip archives are not supported");

    if (count == 0xffff || directorySize == 0xffffffff || directoryOffset == 0xffffffff) {
        // Zip64: a locator right before the end record points to the 64-bit end record.
        if (end < 20 || in.u32(end - 20) != kZip64Locator)
            in.fail("zip64 archive without a zip64 end-of-central-directory locator");
        const uint64_t zip64End = in.u64(end - 20 + 8);
        if (in.u32(zip64End) != kZip64End)
            in.fail("zip64 end-of-central-directory record missing at byte " + std::to_string(zip64End));
        if (in.u32(zip64End + 16) != 0 || in.u32(zip64End + 20) != 0 || in.u64(zip64End + 24) != in.u64(zip64End + 32))
            in.fail("multi-disk zip archives are not supported");
        count = in.u64(zip64End + 32);
        directorySize = in.u64(zip64End + 40);
        directoryOffset = in.u64(zip64End + 48);
    }
    if (directoryOffset > size || directorySize > size - directoryOffset)
        in.fail("zip central directory (offset " + std::to_string(directoryOffset) + ", " + std::to_string(directorySize) +
                " bytes) lies outside the file");
    readCentralDirectory(directoryOffset, directorySize, count);
}

void ZipArchive::readCentralDirectory(uint64_t offset, uint64_t size, uint64_t count)
{
    const Reader in(*m_file);
    const uint64_t directoryEnd = offset + size;
    // Each central header takes at least 46 bytes, which bounds a hostile entry count.
    if (count > size / 46)
        in.fail("zip central directory claims " + std::to_string(count) + " entries in " + std::to_string(size) + " bytes");
    for (uint64_t i = 0; i < count; ++i) {
        if (offset + 46 > directoryEnd || in.u32(offset) != kCentralHeader)
            in.fail("zip central directory entry " + std::to_string(i) + " is corrupt");
        const uint16_t flags = in.u16(offset + 8);
        const uint16_t method = in.u16(offset + 10);
        const uint32_t crc = in.u32(offset + 16);
        uint64_t compressed = in.u32(offset + 20);
        uint64_t uncompressed = in.u32(offset + 24);
        const uint16_t nameLength = in.u16(offset + 28);
        const uint16_t extraLength = in.u16(offset + 30);
        const uint16_t commentLength = in.u16(offset + 32);
        uint64_t disk = in.u16(offset + 34);
        uint64_t localOffset = in.u32(offset + 42);
        const uint64_t next = offset + 46 + nameLength + extraLength + commentLength;
        if (next > directoryEnd)
            in.fail("zip central directory entry " + std::to_string(i) + " runs past the directory");
        const std::string name = in.text(offset + 46, nameLength);

        // Zip64 extended information: the 64-bit values of the fields saturated above, in order.
        for (uint64_t extra = offset + 46 + nameLength; extra + 4 <= offset + 46 + nameLength + extraLength;) {
            const uint16_t id = in.u16(extra);
            const uint16_t length = in.u16(extra + 2);
            const uint64_t fieldEnd = extra + 4 + length;
            if (fieldEnd > offset + 46 + nameLength + extraLength)
                in.fail("zip entry '" + name + "' has a corrupt extra field");
            if (id == 0x0001) {
                uint64_t cursor = extra + 4;
                const auto take = [&](uint64_t& field, uint64_t saturated, int bytes) {
                    if (field != saturated)
                        return;
                    if (cursor + static_cast<uint64_t>(bytes) > fieldEnd)
                        in.fail("zip entry '" + name + "' has a truncated zip64 extra field");
                    field = in.read(cursor, bytes);
                    cursor += static_cast<uint64_t>(bytes);
                };
                take(uncompressed, 0xffffffff, 8);
                take(compressed, 0xffffffff, 8);
                take(localOffset, 0xffffffff, 8);
                take(disk, 0xffff, 4);
            }
            extra = fieldEnd;
        }

        if (flags & 0x1)
            in.fail("zip entry '" + name + "' is encrypted");
        if (method != 0)
            in.fail("zip entry '" + name + "' is compressed (method " + std::to_string(method) +
                    "); torch.save writes uncompressed entries: re-save it with torch.save");
        if (compressed != uncompressed)
            in.fail("zip entry '" + name + "' is stored with differing sizes " + std::to_string(compressed) + " and " +
                    std::to_string(uncompressed));
        if (disk != 0)
            in.fail("multi-disk zip archives are not supported");
        if (in.u32(localOffset) != kLocalHeader)
            in.fail("zip entry '" + name + "' has no local header at byte " + std::to_string(localOffset));
        const uint64_t dataOffset = localOffset + 30 + in.u16(localOffset + 26) + in.u16(localOffset + 28);
        if (dataOffset > m_file->size() || compressed > m_file->size() - dataOffset)
            in.fail("zip entry '" + name + "' (" + std::to_string(compressed) + " bytes at " + std::to_string(dataOffset) +
                    ") runs past the end of the file (truncated?)");
        if (!m_entries.emplace(name, ZipEntry{dataOffset, compressed, crc}).second)
            in.fail("zip entry '" + name + "' appears twice");
        offset = next;
    }
}

uint32_t zipCrc32(const uint8_t* data, uint64_t size)
{
    static const auto table = [] {
        std::array<uint32_t, 256> values{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            values[i] = c;
        }
        return values;
    }();
    uint32_t crc = 0xffffffffu;
    for (uint64_t i = 0; i < size; ++i)
        crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

} // namespace lorsa
