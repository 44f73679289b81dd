#pragma once
/// \file
/// One memory-mapped, validated .safetensors file.

#include "model/io/mapped_file.h"
#include "model/io/storage_dtype.h"
#include "model/io/tensor_source.h"

#include <map>
#include <memory>
#include <string>

namespace lorsa {

/// A .safetensors file whose whole header was validated on opening (see openSafetensors).
/// Unlike the Rust library, gaps between tensors' data are accepted (only overlaps are errors).
/// The file is mapped, not read: truncating it while it is open makes later loads fault.
class SafetensorsFile final : public TensorSource {
public:
    explicit SafetensorsFile(const std::filesystem::path& file);

    const std::filesystem::path& path() const override { return m_file->path(); }
    std::vector<std::string> names() const override;
    bool contains(const std::string& name) const override;
    TensorInfo info(const std::string& name) const override;
    at::Tensor load(const std::string& name) const override;
    std::map<std::string, std::string> metadata() const override { return m_metadata; }

private:
    struct Entry {
        StorageDtype dtype;
        std::vector<int64_t> shape;
        uint64_t begin = 0;  // absolute file offsets
        uint64_t end = 0;
    };

    const Entry& entry(const std::string& name) const;
    void parseHeader(const std::string& header, uint64_t dataStart);

    std::shared_ptr<const MappedFile> m_file;
    std::map<std::string, Entry> m_entries;
    std::map<std::string, std::string> m_metadata;
};

} // namespace lorsa
