#pragma once
/// \file
/// What an accelerator's caching allocator holds, for `lorsa bench` on a GPU.

#include <ATen/ATen.h>

#include <optional>

namespace lorsa {

struct DeviceMemory {
    double currentMb = 0;  ///< bytes in live tensors now, MiB
    double peakMb = 0;     ///< most bytes in live tensors since the last resetDevicePeak, MiB
};

/// The allocator's figures for \p device; nullopt on the CPU or where this build's LibTorch
/// cannot tell (before 2.9; cmake/TorchFeatures.cmake).
std::optional<DeviceMemory> deviceMemory(at::Device device);

/// Starts a new peak at the current allocation (no-op where deviceMemory() answers nullopt).
void resetDevicePeak(at::Device device);

} // namespace lorsa
