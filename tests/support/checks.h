#pragma once
// Checks shared by the engine-side suites.

#include "model/core/error.h"

#include <ATen/ATen.h>

#include <functional>

namespace lorsa::test {

/// max |actual - expected| / max |expected|, in float64 (infinite when the shapes differ).
double relativeError(const at::Tensor& actual, const at::Tensor& expected);

/// True when \p call throws lorsa::Error of \p kind (false when it returns or throws another).
bool throwsErrorKind(ErrorKind kind, const std::function<void()>& call);

} // namespace lorsa::test
