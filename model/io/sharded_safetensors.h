#pragma once
/// \file
/// A checkpoint split over several .safetensors shards listed by an index file.

#include "model/io/tensor_source.h"

#include <map>
#include <memory>
#include <string>

namespace lorsa {

/// The tensors named by a model.safetensors.index.json "weight_map", each read from its shard.
/// Every shard is opened (and validated) once; every listed tensor is checked to be present.
class ShardedSafetensors final : public TensorSource {
public:
    explicit ShardedSafetensors(const std::filesystem::path& indexFile);

    const std::filesystem::path& path() const override { return m_index; }
    std::vector<std::string> names() const override;
    bool contains(const std::string& name) const override;
    TensorInfo info(const std::string& name) const override;
    at::Tensor load(const std::string& name) const override;
    /// The index's "metadata" object; non-string values (e.g. total_size) as their JSON text.
    std::map<std::string, std::string> metadata() const override { return m_metadata; }

private:
    const TensorSource& shardOf(const std::string& name) const;

    std::filesystem::path m_index;
    std::map<std::string, std::shared_ptr<TensorSource>> m_shards;  // by file name in the index
    std::map<std::string, const TensorSource*> m_owner;             // tensor name -> its shard
    std::map<std::string, std::string> m_metadata;
};

} // namespace lorsa
