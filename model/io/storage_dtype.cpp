#include "model/io/storage_dtype.h"

#include <array>

namespace lorsa {
namespace {

// Types without a LibTorch 1.13 equivalent are still listed: a file may carry them in tensors
// we never load, and its layout must still validate with their element size.
const std::array<StorageDtype, 15>& knownDtypes()
{
    static const std::array<StorageDtype, 15> dtypes{{
        {"F64", 8, at::kDouble},
        {"F32", 4, at::kFloat},
        {"F16", 2, at::kHalf},
        {"BF16", 2, at::kBFloat16},
        {"I64", 8, at::kLong},
        {"I32", 4, at::kInt},
        {"I16", 2, at::kShort},
        {"I8", 1, at::kChar},
        {"U8", 1, at::kByte},
        {"BOOL", 1, at::kBool},
        {"U16", 2, std::nullopt},
        {"U32", 4, std::nullopt},
        {"U64", 8, std::nullopt},
        {"F8_E4M3", 1, std::nullopt},
        {"F8_E5M2", 1, std::nullopt},
    }};
    return dtypes;
}

} // namespace

std::optional<StorageDtype> safetensorsDtype(const std::string& name)
{
    for (const auto& dtype : knownDtypes())
        if (dtype.name == name)
            return dtype;
    return std::nullopt;
}

std::optional<StorageDtype> safetensorsDtype(at::ScalarType scalar)
{
    for (const auto& dtype : knownDtypes())
        if (dtype.scalar == scalar)
            return dtype;
    return std::nullopt;
}

} // namespace lorsa
