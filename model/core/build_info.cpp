#include "model/core/build_info.h"

#include "model/core/allocator.h"
#include "model/core/compute_device.h"

#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <thread>

namespace lorsa {

std::string libtorchVersion()
{
    return TORCH_VERSION;
}

std::vector<std::string> availableDevices()
{
    std::vector<std::string> devices{"cpu (" + std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " cores)"};
    const auto gpus = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
    for (size_t i = 0; i < gpus; ++i)
        devices.push_back(describeDevice(at::Device(at::kCUDA, static_cast<at::DeviceIndex>(i))));
    return devices;
}

std::string versionReport(const std::string& program, const std::vector<std::string>& extraLines)
{
    std::string text = program + " " + lorsaVersion();
    if (!gitCommit().empty())
        text += " (git " + gitCommit() + ")";
    text += "\nLibTorch " + libtorchVersion() + "\nmalloc: " + mallocAllocator() + "\n";
    for (const auto& line : extraLines)
        text += line + "\n";
    const auto devices = availableDevices();
    text += "devices:";
    for (size_t i = 0; i < devices.size(); ++i)
        text += (i == 0 ? " " : ", ") + devices[i];
    return text + "\n";
}

} // namespace lorsa
