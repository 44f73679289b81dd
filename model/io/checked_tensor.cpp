#include "model/io/checked_tensor.h"

#include "model/core/error.h"

#include <sstream>

namespace lorsa {

std::string shapeText(at::IntArrayRef shape)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < shape.size(); ++i)
        out << (i ? "," : "") << shape[i];
    out << ']';
    return out.str();
}

at::Tensor loadFloatTensor(const TensorSource& source, const std::string& name, at::IntArrayRef shape, at::ScalarType dtype)
{
    const auto where = source.path().string() + ": ";
    if (!source.contains(name))
        throw Error(ErrorKind::InvalidFile, where + "missing tensor '" + name + "'");
    const auto info = source.info(name);
    if (info.dtype != "F32" && info.dtype != "F16" && info.dtype != "BF16" && info.dtype != "F64")
        throw Error(ErrorKind::InvalidFile, where + "tensor '" + name + "' has dtype " + info.dtype + ", expected a floating type");
    if (!at::IntArrayRef(info.shape).equals(shape))
        throw Error(ErrorKind::InvalidFile,
                    where + "tensor '" + name + "' has shape " + shapeText(info.shape) + ", expected " + shapeText(shape));
    auto tensor = source.load(name).to(dtype).contiguous();
    if (!at::isfinite(tensor).all().item<bool>())
        throw Error(ErrorKind::InvalidFile, where + "tensor '" + name + "' contains NaN or Inf");
    return tensor;
}

} // namespace lorsa
