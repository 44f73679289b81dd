#include "model/io/sharded_safetensors.h"

#include "model/core/error.h"
#include "model/core/json_nesting.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace lorsa {
namespace {

// Index files list one line per tensor: a few MB at most even for the largest models.
constexpr uintmax_t kMaxIndexBytes = 100'000'000;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem)
{
    throw Error(ErrorKind::InvalidFile, file.string() + ": " + problem);
}

nlohmann::json readIndex(const std::filesystem::path& file)
{
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (error)
        fail(file, "cannot read the index (" + error.message() + ")");
    if (size > kMaxIndexBytes)
        fail(file, "index of " + std::to_string(size) + " bytes is implausibly large");
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in)
        fail(file, "cannot read the index");
    if (jsonNestingDepth(text.str()) > kMaxJsonNesting)
        fail(file, "index nests JSON deeper than " + std::to_string(kMaxJsonNesting) + " levels: not a safetensors index");
    try {
        return nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& parseError) {
        fail(file, std::string("index is not valid JSON (") + parseError.what() + ")");
    }
}

// Shard names come from the file: keep them inside the index's folder.
bool isPlainRelative(const std::filesystem::path& shard)
{
    if (shard.empty() || shard.is_absolute() || shard.has_root_name())
        return false;
    for (const auto& part : shard)
        if (part == "..")
            return false;
    return true;
}

} // namespace

ShardedSafetensors::ShardedSafetensors(const std::filesystem::path& indexFile) : m_index(indexFile)
{
    const auto json = readIndex(indexFile);
    if (!json.is_object())
        fail(indexFile, "index is not a JSON object");
    const auto weightMap = json.find("weight_map");
    if (weightMap == json.end() || !weightMap->is_object())
        fail(indexFile, "index has no 'weight_map' object");
    if (const auto metadata = json.find("metadata"); metadata != json.end() && !metadata->is_null()) {
        if (!metadata->is_object())
            fail(indexFile, "index 'metadata' is not an object");
        for (const auto& [key, value] : metadata->items())
            m_metadata[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }

    const auto folder = indexFile.parent_path();
    for (const auto& [name, shardValue] : weightMap->items()) {
        if (!shardValue.is_string())
            fail(indexFile, "weight_map entry '" + name + "' is not a file name");
        const auto shardName = shardValue.get<std::string>();
        if (!isPlainRelative(shardName))
            fail(indexFile, "weight_map entry '" + name + "' names shard '" + shardName + "' outside the checkpoint folder");
        auto& shard = m_shards[shardName];
        if (!shard) {
            const auto shardPath = folder / shardName;
            if (!std::filesystem::exists(shardPath))
                fail(indexFile, "shard '" + shardName + "' (holding '" + name + "') is missing");
            shard = openSafetensors(shardPath);
        }
        if (!shard->contains(name))
            fail(indexFile, "tensor '" + name + "' is listed in shard '" + shardName + "' but that shard does not hold it");
        m_owner[name] = shard.get();
    }
}

std::vector<std::string> ShardedSafetensors::names() const
{
    std::vector<std::string> result;
    result.reserve(m_owner.size());
    for (const auto& [name, shard] : m_owner)
        result.push_back(name);
    return result;
}

bool ShardedSafetensors::contains(const std::string& name) const
{
    return m_owner.count(name) != 0;
}

const TensorSource& ShardedSafetensors::shardOf(const std::string& name) const
{
    const auto found = m_owner.find(name);
    if (found == m_owner.end())
        fail(m_index, "no tensor named '" + name + "'");
    return *found->second;
}

TensorInfo ShardedSafetensors::info(const std::string& name) const
{
    return shardOf(name).info(name);
}

at::Tensor ShardedSafetensors::load(const std::string& name) const
{
    return shardOf(name).load(name);
}

std::unique_ptr<TensorSource> openShardedSafetensors(const std::filesystem::path& indexFile)
{
    return std::make_unique<ShardedSafetensors>(indexFile);
}

} // namespace lorsa
