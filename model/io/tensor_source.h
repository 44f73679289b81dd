#pragma once
/// \file
/// Read access to the named tensors of a checkpoint, whatever file format holds them.
/// Engine-internal (uses LibTorch types): widgets never include it.

#include <ATen/ATen.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lorsa {

/// What a file says about one tensor before any of its bytes are read.
struct TensorInfo {
    std::string dtype;           ///< as the file names it: "F32", "F16", "BF16", "I64", "BOOL", ...
    std::vector<int64_t> shape;  ///< row-major
};

/// A validated, read-only collection of named tensors (a safetensors file, a sharded set, a
/// torch.save zip). Opening validates the whole layout; load() never reads out of bounds.
class TensorSource {
public:
    virtual ~TensorSource() = default;

    /// The file (or index file) this source reads, for error messages.
    virtual const std::filesystem::path& path() const = 0;
    virtual std::vector<std::string> names() const = 0;  ///< sorted
    virtual bool contains(const std::string& name) const = 0;
    /// Throws Error(InvalidFile) "<file>: no tensor named '<name>'" when absent.
    virtual TensorInfo info(const std::string& name) const = 0;
    /// A CPU tensor in the stored dtype with the stored shape. It may alias memory-mapped file
    /// bytes (read-only: clone before writing to it); it stays valid after the source is gone.
    virtual at::Tensor load(const std::string& name) const = 0;
    /// The file's free-form string metadata (safetensors "__metadata__"), empty if none.
    virtual std::map<std::string, std::string> metadata() const = 0;
};

/// Opens a single .safetensors file (memory-mapped) after validating its header: length, JSON,
/// dtypes, shapes, data offsets inside the file, no overlap, sizes matching shape x dtype.
std::unique_ptr<TensorSource> openSafetensors(const std::filesystem::path& file);

/// Opens a sharded checkpoint from its model.safetensors.index.json (weight_map name -> shard).
std::unique_ptr<TensorSource> openShardedSafetensors(const std::filesystem::path& indexFile);

/// Opens a torch.save zip archive holding a state dict (OrderedDict of tensors, possibly saved
/// from CUDA storages) with a restricted, bounds-checked pickle reader that runs no code.
std::unique_ptr<TensorSource> openTorchZip(const std::filesystem::path& file);

/// Writes tensors (any CPU-movable dtype among F32/F16/BF16/I64/BOOL/I32) and string metadata
/// as one safetensors file, atomically. Tensors are written contiguous in the given order.
void writeSafetensors(const std::filesystem::path& file,
                      const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace lorsa
