#pragma once
/// \file
/// Choosing where and in which precision the engine runs, and setting up CPU threading.

#include <ATen/ATen.h>

#include <functional>
#include <string>

namespace lorsa {

/// Parses "auto" | "cpu" | "cuda" | "cuda:N". "auto" picks CUDA when LibTorch sees a GPU.
/// Throws Error(Device) for an unknown name or when CUDA is asked for and absent.
at::Device parseDevice(const std::string& name);

/// Parses "float32" | "bfloat16" | "float16" (also "fp32", "bf16", "fp16"). Refuses float16 on
/// the CPU, where this LibTorch has no float16 matmul, with Error(Device).
at::ScalarType parseDtype(const std::string& name, at::Device device);

/// The run's dtype for a --dtype choice: "auto" or a name parseDtype() accepts. "auto" is
/// bfloat16 on CUDA when the checkpoint stores its weights in bfloat16 (\p storedDtype, asked
/// only then) and float32 everywhere else: bfloat16 keeps float32's range, so running a bfloat16
/// checkpoint in it loses nothing the file held and halves the GPU's memory and time, while a
/// float16 checkpoint's activations can overflow float16 where the model computed them in float32
/// at training time, and Debian's CPU LibTorch has no fast bfloat16 matmul.
at::ScalarType chooseDtype(const std::string& name, at::Device device, const std::function<at::ScalarType()>& storedDtype);

/// Human-readable names: "cpu", "cuda:0 (NVIDIA H100)", "float32".
std::string describeDevice(at::Device device);
std::string dtypeName(at::ScalarType dtype);

/// The machine a measurement ran on, for benchmark records: CPU model, cores, memory, the
/// LibTorch version and the allocator, e.g. "AMD EPYC 9R14, 2 cores, 24.0 GiB RAM, LibTorch 1.13.1,
/// tcmalloc 2.10".
std::string machineDescription();

/// Sets LibTorch's intra-op CPU threads (0 = all cores) and returns a line for the log naming
/// the threads and the BLAS library LibTorch's matmuls go through.
std::string configureCpuThreads(int threads);

} // namespace lorsa
