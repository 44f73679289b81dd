#include "tests/model/io/zip_bytes.h"

#include "model/io/mapped_file.h"
#include "model/io/zip_archive.h"

namespace lorsa::test {
namespace {

void put(std::string& out, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out += static_cast<char>((value >> (8 * i)) & 0xff);
}

} // namespace

std::string zipBytes(const ZipRecords& records, const ZipOptions& options)
{
    std::string out;
    std::string directory;
    const uint32_t saturated = 0xffffffff;
    for (const auto& [name, data] : records) {
        const uint64_t localOffset = out.size();
        uint32_t crc = zipCrc32(reinterpret_cast<const uint8_t*>(data.data()), data.size());
        if (options.badCrc)
            crc ^= 1;
        put(out, 0x04034b50, 4);
        put(out, options.zip64 ? 45 : 20, 2);
        put(out, 0, 2);
        put(out, options.method, 2);
        put(out, 0, 4);  // time, date
        put(out, crc, 4);
        put(out, options.zip64 ? saturated : data.size(), 4);
        put(out, options.zip64 ? saturated : data.size(), 4);
        put(out, name.size(), 2);
        put(out, options.zip64 ? 20 : 0, 2);
        out += name;
        if (options.zip64) {
            put(out, 0x0001, 2);
            put(out, 16, 2);
            put(out, data.size(), 8);
            put(out, data.size(), 8);
        }
        out += data;

        put(directory, 0x02014b50, 4);
        put(directory, options.zip64 ? 45 : 20, 2);
        put(directory, options.zip64 ? 45 : 20, 2);
        put(directory, 0, 2);
        put(directory, options.method, 2);
        put(directory, 0, 4);
        put(directory, crc, 4);
        put(directory, options.zip64 ? saturated : data.size(), 4);
        put(directory, options.zip64 ? saturated : data.size(), 4);
        put(directory, name.size(), 2);
        put(directory, options.zip64 ? 28 : 0, 2);
        put(directory, 0, 2);  // comment
        put(directory, 0, 2);  // disk
        put(directory, 0, 2);
        put(directory, 0, 4);
        put(directory, options.zip64 ? saturated : localOffset, 4);
        directory += name;
        if (options.zip64) {
            put(directory, 0x0001, 2);
            put(directory, 24, 2);
            put(directory, data.size(), 8);
            put(directory, data.size(), 8);
            put(directory, localOffset, 8);
        }
    }
    const uint64_t directoryOffset = out.size();
    out += directory;
    if (options.zip64) {
        const uint64_t zip64End = out.size();
        put(out, 0x06064b50, 4);
        put(out, 44, 8);
        put(out, 45, 2);
        put(out, 45, 2);
        put(out, 0, 4);
        put(out, 0, 4);
        put(out, records.size(), 8);
        put(out, records.size(), 8);
        put(out, directory.size(), 8);
        put(out, directoryOffset, 8);
        put(out, 0x07064b50, 4);
        put(out, 0, 4);
        put(out, zip64End, 8);
        put(out, 1, 4);
    }
    put(out, 0x06054b50, 4);
    put(out, 0, 2);
    put(out, 0, 2);
    put(out, options.zip64 ? 0xffff : records.size(), 2);
    put(out, options.zip64 ? 0xffff : records.size(), 2);
    put(out, options.zip64 ? saturated : directory.size(), 4);
    put(out, options.zip64 ? saturated : directoryOffset, 4);
    put(out, 0, 2);
    return out;
}

ZipRecords readZipRecords(const std::string& file)
{
    const auto mapped = MappedFile::open(file);
    const ZipArchive archive(mapped);
    ZipRecords records;
    for (const auto& [name, entry] : archive.entries())
        records.emplace_back(name, std::string(reinterpret_cast<const char*>(mapped->data() + entry.offset), entry.size));
    return records;
}

std::string pickleString(const std::string& text)
{
    std::string out = "X";
    put(out, text.size(), 4);
    return out + text;
}

std::string pickleInt(int64_t value)
{
    std::string out;
    if (value >= INT32_MIN && value <= INT32_MAX) {
        out = "J";
        put(out, static_cast<uint64_t>(value), 4);
    } else {
        out = "\x8a\x08";
        put(out, static_cast<uint64_t>(value), 8);
    }
    return out;
}

std::string pickleIntTuple(const std::vector<int64_t>& values)
{
    std::string out = "(";
    for (const auto value : values)
        out += pickleInt(value);
    return out + "t";
}

std::string stateDictPickle(const std::string& storageType, const std::string& key, int64_t numel, int64_t offset,
                            const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides)
{
    std::string out = "\x80\x02" "ccollections\nOrderedDict\n)R";
    out += pickleString("w");
    out += "ctorch._utils\n_rebuild_tensor_v2\n(";
    out += "(" + pickleString("storage") + "ctorch\n" + storageType + "\n" + pickleString(key) + pickleString("cuda:0") +
           pickleInt(numel) + "tQ";
    out += pickleInt(offset) + pickleIntTuple(sizes) + pickleIntTuple(strides);
    out += "\x89" "ccollections\nOrderedDict\n)R";
    out += "tRs.";
    return out;
}

} // namespace lorsa::test
