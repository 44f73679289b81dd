#include "model/core/cuda_devices.h"

#include <torch/cuda.h>

namespace lorsa {

int cudaDeviceCount()
{
    return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

} // namespace lorsa
