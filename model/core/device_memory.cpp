#include "model/core/device_memory.h"

#ifdef LORSA_TORCH_HAS_DEVICE_STATS
#include <ATen/DeviceAccelerator.h>
#endif

namespace lorsa {

#ifdef LORSA_TORCH_HAS_DEVICE_STATS

std::optional<DeviceMemory> deviceMemory(at::Device device)
{
    if (device.is_cpu())
        return std::nullopt;
    // allocated_bytes[0] is the aggregate over the small and large pools.
    const auto stats = at::accelerator::getDeviceStats(device.has_index() ? device.index() : 0);
    constexpr double kMb = 1024.0 * 1024.0;
    return DeviceMemory{static_cast<double>(stats.allocated_bytes[0].current) / kMb,
                        static_cast<double>(stats.allocated_bytes[0].peak) / kMb};
}

void resetDevicePeak(at::Device device)
{
    if (!device.is_cpu())
        at::accelerator::resetPeakStats(device.has_index() ? device.index() : 0);
}

#else

std::optional<DeviceMemory> deviceMemory(at::Device)
{
    return std::nullopt;
}

void resetDevicePeak(at::Device) {}

#endif

} // namespace lorsa
