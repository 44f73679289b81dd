#pragma once
/// \file
/// Tensors over the bytes of a memory-mapped file.

#include "model/io/mapped_file.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>

namespace lorsa {

/// A 1-D CPU tensor of \p numel elements of \p scalar starting \p byteOffset bytes into \p file.
/// The caller has checked that the bytes lie inside the file. It aliases the mapping (kept alive
/// by the tensor) when the offset is aligned to the element size, and is a copy otherwise, since
/// vectorised kernels may assume aligned data. BOOL bytes are copied and normalised to 0/1: any
/// other byte value in a bool tensor is undefined behaviour in LibTorch.
at::Tensor mappedTensor(const std::shared_ptr<const MappedFile>& file, uint64_t byteOffset, int64_t numel,
                        at::ScalarType scalar);

} // namespace lorsa
