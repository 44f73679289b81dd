#pragma once
/// \file
/// Loading a weight with every check a checkpoint deserves, in one place for every loader.

#include "model/io/tensor_source.h"

#include <string>

namespace lorsa {

/// "[768,2304]".
std::string shapeText(at::IntArrayRef shape);

/// Loads \p name from \p source after checking that it exists, is a floating tensor (F64, F32,
/// F16, BF16) of exactly \p shape and holds only finite values; returns it as \p dtype,
/// contiguous, on the CPU. Throws Error(InvalidFile) "<file>: tensor '<name>' has shape [..],
/// expected [..]" (or: is missing, has dtype .., contains NaN or Inf).
at::Tensor loadFloatTensor(const TensorSource& source, const std::string& name, at::IntArrayRef shape, at::ScalarType dtype);

} // namespace lorsa
