#pragma once
/// \file
/// The values a restricted pickle reader can build: plain data, storages and tensor views.

#include "model/io/storage_dtype.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lorsa {

/// One value built by RestrictedUnpickler. Values live in one arena and refer to each other by
/// index, so the reference cycles a pickle can build (a list appended to itself) cannot leak.
struct PickleValue {
    enum class Kind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor, Device };

    Kind kind = Kind::None;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0.0;
    std::string text;           ///< String, Bytes; Global "module.name"; Storage key; Device name
    std::vector<size_t> items;  ///< Tuple, List: elements; Dict: key0, value0, key1, value1, ...

    // Storage: a persistent id ('storage', torch.<T>Storage, key, location, numel).
    StorageDtype storageDtype;
    int64_t storageNumel = 0;

    // Tensor: a view into a Storage value (index in items[0]).
    int64_t storageOffset = 0;         ///< in elements
    std::vector<int64_t> sizes;
    std::vector<int64_t> strides;      ///< in elements
};

} // namespace lorsa
