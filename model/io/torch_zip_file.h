#pragma once
/// \file
/// A torch.save zip archive holding a state dict, read without running any pickled code.

#include "model/io/mapped_file.h"
#include "model/io/storage_dtype.h"
#include "model/io/tensor_source.h"

#include <map>
#include <memory>
#include <string>

namespace lorsa {

class RestrictedUnpickler;

/// The tensors of a torch.save archive (`<archive>/data.pkl` + `<archive>/data/<key>`; the
/// archive folder name varies with the saved file's name).
///
/// Names: the top-level value must be a dict (or OrderedDict). Nested dicts, lists and tuples are
/// flattened with '.' ("model.layers.0.w"); integer keys are written in decimal. Non-tensor leaves
/// (int, float, bool, None, str) are not tensors: they are exposed through metadata() under their
/// flattened name; other leaves (bytes, devices) are skipped. Storages saved from CUDA load on the CPU.
class TorchZipFile final : public TensorSource {
public:
    explicit TorchZipFile(const std::filesystem::path& file);

    const std::filesystem::path& path() const override { return m_file->path(); }
    std::vector<std::string> names() const override;
    bool contains(const std::string& name) const override;
    TensorInfo info(const std::string& name) const override;
    at::Tensor load(const std::string& name) const override;
    std::map<std::string, std::string> metadata() const override { return m_metadata; }

private:
    struct Entry {
        StorageDtype dtype;
        uint64_t storageOffset = 0;  // absolute file offset of the storage's first byte
        int64_t storageNumel = 0;
        int64_t elementOffset = 0;
        std::vector<int64_t> sizes;
        std::vector<int64_t> strides;
    };

    void flatten(const RestrictedUnpickler& pickle, size_t index, const std::string& name, int depth);
    void addTensor(const RestrictedUnpickler& pickle, size_t index, const std::string& name);
    const Entry& entry(const std::string& name) const;

    std::shared_ptr<const MappedFile> m_file;
    std::string m_prefix;  // "<archive>/"
    std::map<std::string, std::pair<uint64_t, uint64_t>> m_records;  // name -> (offset, size)
    std::map<std::string, Entry> m_entries;
    std::map<std::string, std::string> m_metadata;
};

} // namespace lorsa
