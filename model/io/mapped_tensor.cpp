#include "model/io/mapped_tensor.h"

#include <cstring>

namespace lorsa {

at::Tensor mappedTensor(const std::shared_ptr<const MappedFile>& file, uint64_t byteOffset, int64_t numel,
                        at::ScalarType scalar)
{
    const auto options = at::TensorOptions().dtype(scalar).device(at::kCPU);
    if (numel == 0)
        return at::empty({0}, options);
    const uint8_t* bytes = file->data() + byteOffset;
    const auto elementSize = static_cast<uint64_t>(c10::elementSize(scalar));
    if (scalar == at::kBool) {
        auto raw = at::empty({numel}, options.dtype(at::kByte));
        std::memcpy(raw.data_ptr(), bytes, static_cast<size_t>(numel));
        return raw.ne(0);
    }
    if (reinterpret_cast<uintptr_t>(bytes) % elementSize != 0) {
        auto copy = at::empty({numel}, options);
        std::memcpy(copy.data_ptr(), bytes, static_cast<size_t>(numel) * elementSize);
        return copy;
    }
    // from_blob wants a mutable pointer; the mapping is PROT_READ, so writes would fault rather
    // than corrupt the file, and the interface tells callers to clone before writing.
    auto keepAlive = file;
    return at::from_blob(const_cast<uint8_t*>(bytes), {numel}, [keepAlive](void*) mutable { keepAlive.reset(); },
                         options);
}

} // namespace lorsa
