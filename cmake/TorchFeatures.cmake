# What the LibTorch found offers beyond Debian 12's 1.13, probed by compiling the very calls the
# engine makes (no version arithmetic): a CUDA machine's LibTorch 2.x gets the fused kernels, and
# a LibTorch that lacks one still builds, on the portable path.
#   LORSA_TORCH_HAS_SDPA          at::scaled_dot_product_attention with scale and enable_gqa (2.5+)
#   LORSA_TORCH_HAS_DEVICE_STATS  at::accelerator::getDeviceStats / resetPeakStats (2.9+)
include(CheckCXXSourceCompiles)
include(CMakePushCheckState)

cmake_push_check_state(RESET)
set(CMAKE_REQUIRED_INCLUDES ${TORCH_INCLUDE_DIRS})
set(CMAKE_REQUIRED_FLAGS "${TORCH_CXX_FLAGS}")
set(CMAKE_REQUIRED_QUIET ON)
# Compile only: linking the whole of LibTorch for each probe would be slow and tells nothing more.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
check_cxx_source_compiles([[
#include <ATen/ATen.h>
#include <optional>
at::Tensor causal(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
    return at::scaled_dot_product_attention(q, k, v, std::nullopt, 0.0, true, 0.5, true);
}
at::Tensor masked(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask)
{
    return at::scaled_dot_product_attention(q, k, v, std::optional<at::Tensor>(mask), 0.0, false, 0.5, false);
}
]] LORSA_TORCH_HAS_SDPA)
check_cxx_source_compiles([[
#include <ATen/DeviceAccelerator.h>
#include <cstdint>
int64_t peak(c10::DeviceIndex index)
{
    at::accelerator::resetPeakStats(index);
    const auto stats = at::accelerator::getDeviceStats(index);
    return stats.allocated_bytes[0].peak + stats.allocated_bytes[0].current;
}
]] LORSA_TORCH_HAS_DEVICE_STATS)
cmake_pop_check_state()

foreach(feature LORSA_TORCH_HAS_SDPA LORSA_TORCH_HAS_DEVICE_STATS)
  if(${feature})
    message(STATUS "LibTorch ${Torch_VERSION}: ${feature}")
  else()
    message(STATUS "LibTorch ${Torch_VERSION}: no ${feature} (portable path)")
  endif()
endforeach()
