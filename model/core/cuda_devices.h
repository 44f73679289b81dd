#pragma once
/// \file
/// How many CUDA GPUs LibTorch can use, for code that must not include LibTorch (the GUI).

namespace lorsa {

/// 0 when this LibTorch has no CUDA or sees no GPU.
int cudaDeviceCount();

} // namespace lorsa
