#include "tests/support/checks.h"

#include <cmath>

namespace lorsa::test {

double relativeError(const at::Tensor& actual, const at::Tensor& expected)
{
    const auto a = actual.to(at::kDouble).cpu(), b = expected.to(at::kDouble).cpu();
    if (a.sizes() != b.sizes())
        return INFINITY;
    const double scale = b.abs().max().item<double>();
    return (a - b).abs().max().item<double>() / (scale > 0 ? scale : 1.0);
}

bool throwsErrorKind(ErrorKind kind, const std::function<void()>& call)
{
    try {
        call();
    } catch (const Error& error) {
        return error.kind() == kind;
    }
    return false;
}

} // namespace lorsa::test
