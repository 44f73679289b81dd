#include "model/io/torch_zip_file.h"

#include "model/core/error.h"
#include "model/io/mapped_tensor.h"
#include "model/io/restricted_unpickler.h"
#include "model/io/zip_archive.h"

#include <cstdio>

namespace lorsa {
namespace {

// A state dict's pickle holds ~150 bytes per tensor; 64 MB is far beyond any real checkpoint.
constexpr uint64_t kMaxPickleBytes = 64ull << 20;
constexpr int kMaxDepth = 32;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem)
{
    throw Error(ErrorKind::InvalidFile, file.string() + ": " + problem);
}

std::string join(const std::string& prefix, const std::string& key)
{
    return prefix.empty() ? key : prefix + "." + key;
}

} // namespace

TorchZipFile::TorchZipFile(const std::filesystem::path& file) : m_file(MappedFile::open(file))
{
    const ZipArchive archive(m_file);
    // data.pkl sits in one top-level folder whose name torch derives from the saved file's name.
    std::string pickleName;
    for (const auto& [name, zipEntry] : archive.entries()) {
        const auto slash = name.find('/');
        if (slash != std::string::npos && name.compare(slash, std::string::npos, "/data.pkl") == 0) {
            if (!pickleName.empty())
                fail(file, "archive holds several data.pkl records ('" + pickleName + "', '" + name + "')");
            pickleName = name;
            m_prefix = name.substr(0, slash + 1);
        }
    }
    if (pickleName.empty())
        fail(file, "not a torch.save archive: no '<archive>/data.pkl' record");
    for (const auto& [name, zipEntry] : archive.entries())
        if (name.rfind(m_prefix, 0) == 0)
            m_records[name.substr(m_prefix.size())] = {zipEntry.offset, zipEntry.size};

    if (const auto order = m_records.find("byteorder"); order != m_records.end()) {
        const std::string text(reinterpret_cast<const char*>(m_file->data() + order->second.first), order->second.second);
        if (text != "little")
            throw Error(ErrorKind::Unsupported, file.string() + ": saved with byte order '" + text.substr(0, 16) + "'; only little-endian is supported");
    }

    const auto& pickleEntry = archive.entries().at(pickleName);
    if (pickleEntry.size > kMaxPickleBytes)
        fail(file, "data.pkl of " + std::to_string(pickleEntry.size) + " bytes is implausibly large for a state dict");
    const uint8_t* pickleBytes = m_file->data() + pickleEntry.offset;
    if (zipCrc32(pickleBytes, pickleEntry.size) != pickleEntry.crc32)
        fail(file, "data.pkl is corrupt (CRC-32 mismatch)");
    RestrictedUnpickler pickle(file, pickleBytes, pickleEntry.size);
    const size_t root = pickle.run();
    if (pickle.value(root).kind != PickleValue::Kind::Dict)
        fail(file, "holds a pickled value that is not a dict of tensors (a state dict)");
    flatten(pickle, root, "", 0);
}

void TorchZipFile::flatten(const RestrictedUnpickler& pickle, size_t index, const std::string& name, int depth)
{
    if (depth > kMaxDepth)
        fail(path(), "state dict nests deeper than " + std::to_string(kMaxDepth) + " levels (or refers to itself) at '" + name + "'");
    const auto& value = pickle.value(index);
    const auto expose = [&](const std::string& text) {
        if (m_entries.count(name) || !m_metadata.emplace(name, text).second)
            fail(path(), "state dict holds the name '" + name + "' twice");
    };
    switch (value.kind) {
    case PickleValue::Kind::Dict:
        for (size_t i = 0; i + 1 < value.items.size(); i += 2) {
            const auto& key = pickle.value(value.items[i]);
            std::string keyText;
            if (key.kind == PickleValue::Kind::String)
                keyText = key.text;
            else if (key.kind == PickleValue::Kind::Int)
                keyText = std::to_string(key.integer);
            else
                fail(path(), "state dict has a key under '" + name + "' that is neither a string nor an integer");
            flatten(pickle, value.items[i + 1], join(name, keyText), depth + 1);
        }
        break;
    case PickleValue::Kind::List:
    case PickleValue::Kind::Tuple:
        for (size_t i = 0; i < value.items.size(); ++i)
            flatten(pickle, value.items[i], join(name, std::to_string(i)), depth + 1);
        break;
    case PickleValue::Kind::Tensor: addTensor(pickle, index, name); break;
    case PickleValue::Kind::Int: expose(std::to_string(value.integer)); break;
    case PickleValue::Kind::Bool: expose(value.boolean ? "True" : "False"); break;
    case PickleValue::Kind::None: expose("None"); break;
    case PickleValue::Kind::String: expose(value.text); break;
    case PickleValue::Kind::Float: {
        char text[32];
        std::snprintf(text, sizeof text, "%.17g", value.real);
        expose(text);
        break;
    }
    default: break;  // bytes, devices, bare storages or globals: nothing a caller can use
    }
}

void TorchZipFile::addTensor(const RestrictedUnpickler& pickle, size_t index, const std::string& name)
{
    const auto& tensor = pickle.value(index);
    const auto& storage = pickle.value(tensor.items.at(0));
    const std::string where = "tensor '" + name + "'";
    const auto record = m_records.find("data/" + storage.text);
    if (record == m_records.end())
        fail(path(), where + " refers to storage '" + storage.text + "' which the archive does not hold");
    uint64_t storageBytes = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(storage.storageNumel), storage.storageDtype.elementSize, &storageBytes) ||
        storageBytes != record->second.second)
        fail(path(), where + ": storage '" + storage.text + "' should hold " + std::to_string(storage.storageNumel) + " " +
                         storage.storageDtype.name + " elements but its record has " + std::to_string(record->second.second) + " bytes");

    // The furthest element the view reaches must lie inside the storage.
    bool empty = false;
    for (const auto size : tensor.sizes)
        empty = empty || size == 0;
    uint64_t last = static_cast<uint64_t>(tensor.storageOffset);
    bool overflow = false;
    uint64_t elements = 1;
    for (size_t d = 0; d < tensor.sizes.size() && !empty; ++d) {
        uint64_t reach = 0;
        overflow = overflow || __builtin_mul_overflow(static_cast<uint64_t>(tensor.sizes[d] - 1), static_cast<uint64_t>(tensor.strides[d]), &reach) ||
                   __builtin_add_overflow(last, reach, &last) ||
                   __builtin_mul_overflow(elements, static_cast<uint64_t>(tensor.sizes[d]), &elements);
    }
    if (overflow || elements > static_cast<uint64_t>(INT64_MAX))
        fail(path(), where + " has a size or stride that overflows");
    if (empty ? static_cast<uint64_t>(tensor.storageOffset) > static_cast<uint64_t>(storage.storageNumel)
              : last >= static_cast<uint64_t>(storage.storageNumel))
        fail(path(), where + " reaches element " + std::to_string(last) + " of storage '" + storage.text + "' which holds only " +
                         std::to_string(storage.storageNumel));
    if (m_metadata.count(name) || m_entries.count(name))
        fail(path(), "state dict holds the name '" + name + "' twice");
    m_entries[name] = Entry{storage.storageDtype, record->second.first, storage.storageNumel, tensor.storageOffset, tensor.sizes, tensor.strides};
}

std::vector<std::string> TorchZipFile::names() const
{
    std::vector<std::string> result;
    for (const auto& [name, found] : m_entries)
        result.push_back(name);
    return result;
}

bool TorchZipFile::contains(const std::string& name) const
{
    return m_entries.count(name) != 0;
}

const TorchZipFile::Entry& TorchZipFile::entry(const std::string& name) const
{
    const auto found = m_entries.find(name);
    if (found == m_entries.end())
        fail(path(), "no tensor named '" + name + "'");
    return found->second;
}

TensorInfo TorchZipFile::info(const std::string& name) const
{
    const auto& found = entry(name);
    return {found.dtype.name, found.sizes};
}

at::Tensor TorchZipFile::load(const std::string& name) const
{
    const auto& found = entry(name);
    const auto storage = mappedTensor(m_file, found.storageOffset, found.storageNumel, *found.dtype.scalar);
    // Views (a transposed slice sharing its storage) come back contiguous, like a safetensors tensor.
    return storage.as_strided(found.sizes, found.strides, found.elementOffset).contiguous();
}

std::unique_ptr<TensorSource> openTorchZip(const std::filesystem::path& file)
{
    return std::make_unique<TorchZipFile>(file);
}

} // namespace lorsa
