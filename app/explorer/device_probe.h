#pragma once
// Whether a CUDA GPU is usable, for enabling the device choice. Kept in its own translation
// unit so that LibTorch's headers never meet Qt's.

namespace lorsa {

int cudaDeviceCount();

} // namespace lorsa
