#include "model/io/safetensors_file.h"

#include "model/core/error.h"
#include "model/core/json_nesting.h"
#include "model/io/mapped_tensor.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

namespace lorsa {
namespace {

// A real header is a few hundred kB even for 70B-parameter shards; the Rust library caps it too.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr size_t kMaxDims = 64;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem)
{
    throw Error(ErrorKind::InvalidFile, file.string() + ": " + problem);
}

uint64_t readU64LE(const uint8_t* bytes)
{
    uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

std::string describeShape(const std::vector<int64_t>& shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        text += (i ? "," : "") + std::to_string(shape[i]);
    return text + "]";
}

} // namespace

SafetensorsFile::SafetensorsFile(const std::filesystem::path& file) : m_file(MappedFile::open(file))
{
    const uint64_t size = m_file->size();
    if (size < 8)
        fail(file, "not a safetensors file: " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
    const uint64_t headerLength = readU64LE(m_file->data());
    if (headerLength > kMaxHeaderBytes)
        fail(file, "header length " + std::to_string(headerLength) + " is implausibly large (limit 100 MB): not a safetensors file or corrupt");
    if (headerLength > size - 8)
        fail(file, "header length " + std::to_string(headerLength) + " runs past the end of the file (" + std::to_string(size) +
                       " bytes): truncated or corrupt");
    const std::string header(reinterpret_cast<const char*>(m_file->data()) + 8, headerLength);
    parseHeader(header, 8 + headerLength);
}

void SafetensorsFile::parseHeader(const std::string& header, uint64_t dataStart)
{
    const auto& file = m_file->path();
    if (jsonNestingDepth(header) > kMaxJsonNesting)
        fail(file, "header nests JSON deeper than " + std::to_string(kMaxJsonNesting) + " levels: not a safetensors header");
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(header);
    } catch (const nlohmann::json::exception& error) {
        fail(file, std::string("header is not valid JSON (") + error.what() + ")");
    }
    if (!json.is_object())
        fail(file, "header is not a JSON object");

    const uint64_t dataSize = m_file->size() - dataStart;
    for (const auto& [name, value] : json.items()) {
        if (name == "__metadata__") {
            if (!value.is_object())
                fail(file, "__metadata__ is not an object of strings");
            for (const auto& [key, text] : value.items()) {
                if (!text.is_string())
                    fail(file, "__metadata__ entry '" + key + "' is not a string");
                m_metadata[key] = text.get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor '" + name + "'";
        if (!value.is_object())
            fail(file, where + " is not described by an object");
        const auto dtypeField = value.find("dtype");
        const auto shapeField = value.find("shape");
        const auto offsetsField = value.find("data_offsets");
        if (dtypeField == value.end() || !dtypeField->is_string())
            fail(file, where + " has no string 'dtype'");
        if (shapeField == value.end() || !shapeField->is_array())
            fail(file, where + " has no array 'shape'");
        if (offsetsField == value.end() || !offsetsField->is_array() || offsetsField->size() != 2)
            fail(file, where + " has no 'data_offsets' pair");

        Entry entry;
        const auto dtypeName = dtypeField->get<std::string>();
        const auto dtype = safetensorsDtype(dtypeName);
        if (!dtype)
            fail(file, where + " has unknown dtype '" + dtypeName + "'");
        entry.dtype = *dtype;

        if (shapeField->size() > kMaxDims)
            fail(file, where + " has " + std::to_string(shapeField->size()) + " dimensions");
        // numel * elementSize is computed in uint64 with overflow checks: a hostile shape such as
        // [2^40, 2^40] must not wrap around to a small size that happens to match the offsets.
        uint64_t bytes = entry.dtype.elementSize;
        uint64_t nonzeroElements = 1;  // also bounded so that LibTorch's own numel cannot overflow
        bool overflow = false;
        for (const auto& dim : *shapeField) {
            if (!dim.is_number_unsigned() && !(dim.is_number_integer() && dim.get<int64_t>() >= 0))
                fail(file, where + " has a shape entry that is not a non-negative integer: " + dim.dump());
            const auto extent = dim.get<uint64_t>();
            if (extent > static_cast<uint64_t>(INT64_MAX))
                fail(file, where + " has a shape entry too large: " + dim.dump());
            entry.shape.push_back(static_cast<int64_t>(extent));
            overflow = overflow || __builtin_mul_overflow(bytes, extent, &bytes);
            if (extent != 0)
                overflow = overflow || __builtin_mul_overflow(nonzeroElements, extent, &nonzeroElements) ||
                           nonzeroElements > static_cast<uint64_t>(INT64_MAX);
        }
        for (const auto& offset : *offsetsField)
            if (!offset.is_number_unsigned() && !(offset.is_number_integer() && offset.get<int64_t>() >= 0))
                fail(file, where + " has a data offset that is not a non-negative integer: " + offset.dump());
        const auto begin = (*offsetsField)[0].get<uint64_t>();
        const auto end = (*offsetsField)[1].get<uint64_t>();
        if (begin > end)
            fail(file, where + " has data_offsets [" + std::to_string(begin) + "," + std::to_string(end) + "] that end before they begin");
        if (end > dataSize)
            fail(file, where + " has data_offsets [" + std::to_string(begin) + "," + std::to_string(end) +
                           "] outside the data region of " + std::to_string(dataSize) + " bytes (truncated file?)");
        if (overflow || bytes != end - begin)
            fail(file, where + " has shape " + describeShape(entry.shape) + " of " + dtypeName + (overflow ? " (size overflows)" : "") +
                           " that does not match its " + std::to_string(end - begin) + " bytes of data");
        entry.begin = dataStart + begin;
        entry.end = dataStart + end;
        m_entries.emplace(name, std::move(entry));
    }

    // Tensors must not share bytes: sort the non-empty ones by start and compare neighbours.
    std::vector<std::pair<const std::string*, const Entry*>> byOffset;
    for (const auto& [name, entry] : m_entries)
        if (entry.end > entry.begin)
            byOffset.emplace_back(&name, &entry);
    std::sort(byOffset.begin(), byOffset.end(), [](const auto& a, const auto& b) { return a.second->begin < b.second->begin; });
    for (size_t i = 1; i < byOffset.size(); ++i)
        if (byOffset[i].second->begin < byOffset[i - 1].second->end)
            fail(file, "tensors '" + *byOffset[i - 1].first + "' and '" + *byOffset[i].first + "' overlap in the data region");
}

std::vector<std::string> SafetensorsFile::names() const
{
    std::vector<std::string> result;
    result.reserve(m_entries.size());
    for (const auto& [name, entry] : m_entries)
        result.push_back(name);
    return result;
}

bool SafetensorsFile::contains(const std::string& name) const
{
    return m_entries.count(name) != 0;
}

const SafetensorsFile::Entry& SafetensorsFile::entry(const std::string& name) const
{
    const auto found = m_entries.find(name);
    if (found == m_entries.end())
        fail(path(), "no tensor named '" + name + "'");
    return found->second;
}

TensorInfo SafetensorsFile::info(const std::string& name) const
{
    const auto& found = entry(name);
    return {found.dtype.name, found.shape};
}

at::Tensor SafetensorsFile::load(const std::string& name) const
{
    const auto& found = entry(name);
    if (!found.dtype.scalar)
        throw Error(ErrorKind::Unsupported, path().string() + ": tensor '" + name + "' has dtype " + found.dtype.name +
                                                " which this LibTorch cannot represent");
    const auto numel = static_cast<int64_t>((found.end - found.begin) / found.dtype.elementSize);
    return mappedTensor(m_file, found.begin, numel, *found.dtype.scalar).view(found.shape);
}

std::unique_ptr<TensorSource> openSafetensors(const std::filesystem::path& file)
{
    return std::make_unique<SafetensorsFile>(file);
}

} // namespace lorsa
