#pragma once
// Writes zip archives byte by byte (STORED, optionally zip64 or with a claimed compression
// method) and state-dict pickles opcode by opcode, so that tests can build torch.save archives
// that are valid, unusual or hostile in exactly one respect.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lorsa::test {

struct ZipOptions {
    bool zip64 = false;     ///< saturate the 32-bit fields and write zip64 records, as >4 GB archives need
    uint16_t method = 0;    ///< compression method written in the headers (0 = stored)
    bool badCrc = false;    ///< write a wrong CRC-32
};

using ZipRecords = std::vector<std::pair<std::string, std::string>>;  // name -> bytes

std::string zipBytes(const ZipRecords& records, const ZipOptions& options = {});

/// The records of an archive, read with the library's ZipArchive (for re-packing mutated pickles).
ZipRecords readZipRecords(const std::string& file);

/// Pickle snippets (protocol 2) for hand-built data.pkl programs.
std::string pickleString(const std::string& text);      ///< BINUNICODE
std::string pickleInt(int64_t value);                    ///< BININT / LONG1
std::string pickleIntTuple(const std::vector<int64_t>& values);  ///< MARK ... TUPLE

/// A state dict {"w": tensor} whose storage is the given persistent id fields.
std::string stateDictPickle(const std::string& storageType, const std::string& key, int64_t numel, int64_t offset,
                            const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides);

} // namespace lorsa::test
