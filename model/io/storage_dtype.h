#pragma once
/// \file
/// The element types checkpoint files name, with their sizes and LibTorch equivalents.

#include <ATen/ATen.h>

#include <cstdint>
#include <optional>
#include <string>

namespace lorsa {

/// One element type as a file format names it.
struct StorageDtype {
    std::string name;                       ///< safetensors spelling: "F32", "BF16", "BOOL", ...
    uint64_t elementSize = 0;               ///< bytes per element
    std::optional<at::ScalarType> scalar;   ///< empty where this LibTorch has no such type (U32, F8)
};

/// Looks up a safetensors dtype name ("F32", "I64", "U16", "F8_E4M3", ...); empty if unknown.
std::optional<StorageDtype> safetensorsDtype(const std::string& name);

/// The safetensors name of a LibTorch dtype; empty for types safetensors cannot hold here.
std::optional<StorageDtype> safetensorsDtype(at::ScalarType scalar);

} // namespace lorsa
