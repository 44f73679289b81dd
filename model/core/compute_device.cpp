#include "model/core/compute_device.h"

#include "model/core/allocator.h"
#include "model/core/error.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace lorsa {
namespace {

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// The shared object behind libblas.so.3 (Debian's alternatives pick reference BLAS or
/// OpenBLAS): resolve a BLAS symbol and ask the loader which file it came from.
std::string blasLibrary()
{
    void* symbol = dlsym(RTLD_DEFAULT, "sgemm_");
    Dl_info info{};
    if (symbol && dladdr(symbol, &info) && info.dli_fname) {
        std::error_code error;
        auto resolved = std::filesystem::canonical(info.dli_fname, error);
        return error ? std::string(info.dli_fname) : resolved.string();
    }
    return "unknown BLAS";
}

} // namespace

at::Device parseDevice(const std::string& name)
{
    const auto key = lowercase(name);
    if (key == "auto")
        return torch::cuda::is_available() ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
    if (key == "cpu")
        return at::Device(at::kCPU);
    if (key == "cuda" || key.rfind("cuda:", 0) == 0) {
        if (!torch::cuda::is_available())
            throw Error(ErrorKind::Device, "device '" + name + "': no CUDA GPU is available to LibTorch (use --device cpu)");
        try {
            at::Device device(key == "cuda" ? std::string("cuda:0") : key);
            if (device.index() >= static_cast<int>(torch::cuda::device_count()))
                throw Error(ErrorKind::Device, "device '" + name + "': only " + std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
            return device;
        } catch (const c10::Error&) {
            throw Error(ErrorKind::Device, "device '" + name + "' is not a valid device name");
        }
    }
    throw Error(ErrorKind::Device, "unknown device '" + name + "' (expected auto, cpu or cuda)");
}

at::ScalarType parseDtype(const std::string& name, at::Device device)
{
    const auto key = lowercase(name);
    at::ScalarType dtype;
    if (key == "float32" || key == "fp32" || key == "f32")
        dtype = at::kFloat;
    else if (key == "bfloat16" || key == "bf16")
        dtype = at::kBFloat16;
    else if (key == "float16" || key == "fp16" || key == "f16" || key == "half")
        dtype = at::kHalf;
    else
        throw Error(ErrorKind::Device, "unknown dtype '" + name + "' (expected auto, float32, bfloat16 or float16)");
    if (dtype == at::kHalf && device.is_cpu())
        throw Error(ErrorKind::Device, "float16 is not supported on the CPU (LibTorch has no CPU float16 matmul): use bfloat16 or float32");
    return dtype;
}

at::ScalarType chooseDtype(const std::string& name, at::Device device, const std::function<at::ScalarType()>& storedDtype)
{
    if (lowercase(name) != "auto")
        return parseDtype(name, device);
    return device.is_cuda() && storedDtype() == at::kBFloat16 ? at::kBFloat16 : at::kFloat;
}

std::string describeDevice(at::Device device)
{
    return device.str();
}

std::string dtypeName(at::ScalarType dtype)
{
    switch (dtype) {
    case at::kFloat: return "float32";
    case at::kBFloat16: return "bfloat16";
    case at::kHalf: return "float16";
    case at::kDouble: return "float64";
    default: return c10::toString(dtype);
    }
}

namespace {

/// The value after "key<spaces>:" on the first line of \p path that starts with \p key.
std::string procField(const char* path, const std::string& key)
{
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(key, 0) != 0)
            continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            return {};
        const auto begin = line.find_first_not_of(" \t", colon + 1);
        return begin == std::string::npos ? std::string() : line.substr(begin);
    }
    return {};
}

} // namespace

std::string machineDescription()
{
    std::string cpu = procField("/proc/cpuinfo", "model name");
    if (cpu.empty())
        cpu = "unknown CPU";
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::string out = cpu + ", " + std::to_string(cores) + (cores == 1 ? " core" : " cores");
    const std::string memory = procField("/proc/meminfo", "MemTotal");  // "24576000 kB"
    if (!memory.empty()) {
        char gib[32];
        std::snprintf(gib, sizeof gib, "%.1f GiB RAM", std::strtod(memory.c_str(), nullptr) / (1024.0 * 1024.0));
        out += std::string(", ") + gib;
    }
    return out + ", LibTorch " + TORCH_VERSION + ", " + mallocAllocator();
}

std::string configureCpuThreads(int threads)
{
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int chosen = threads > 0 ? threads : cores;
    at::set_num_threads(chosen);
    return "CPU threads: " + std::to_string(at::get_num_threads()) + " of " + std::to_string(cores) + " cores; BLAS: " + blasLibrary();
}

} // namespace lorsa
