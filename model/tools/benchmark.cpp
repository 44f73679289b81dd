#include "model/tools/benchmark.h"

#include "model/core/device_memory.h"
#include "model/core/error.h"
#include "model/core/fused_attention.h"

#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <fstream>

namespace lorsa {
namespace {

template <typename Work>
double timeMs(at::Device device, Work&& work)
{
    if (device.is_cuda())
        torch::cuda::synchronize();
    const auto start = std::chrono::steady_clock::now();
    work();
    if (device.is_cuda())
        torch::cuda::synchronize();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/// Tracks an accelerator allocator's peaks across forwards; answers nothing where it cannot tell.
class DevicePeaks {
public:
    explicit DevicePeaks(at::Device device) : m_device(device) {}

    /// Runs \p work and returns its time; remembers the allocator's peak and how far it rose
    /// above what was live before \p work.
    template <typename Work>
    double time(Work&& work)
    {
        resetDevicePeak(m_device);
        const auto before = deviceMemory(m_device);
        const double ms = timeMs(m_device, std::forward<Work>(work));
        if (const auto after = deviceMemory(m_device); before && after) {
            m_known = true;
            m_peak = std::max(m_peak, after->peakMb);
            m_working = std::max(m_working, after->peakMb - before->currentMb);
        }
        return ms;
    }
    std::optional<double> peakMb() const { return m_known ? std::optional<double>(m_peak) : std::nullopt; }
    std::optional<double> workingMb() const { return m_known ? std::optional<double>(m_working) : std::nullopt; }

private:
    at::Device m_device;
    bool m_known = false;
    double m_peak = 0;
    double m_working = 0;
};

} // namespace

double currentRssMb()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double peakRssMb()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

BenchmarkResult runBenchmark(const Engine& engine, const BenchmarkOptions& options)
{
    if (options.tokens < 1 || options.tokens > engine.maxTokens())
        throw Error(ErrorKind::InvalidInput, "--tokens must be between 1 and " + std::to_string(engine.maxTokens()) + " for this model");
    if (options.repeats < 1)
        throw Error(ErrorKind::InvalidInput, "--repeat must be at least 1");
    c10::InferenceMode guard;
    const auto generator = at::detail::createCPUGenerator(options.seed);
    const auto vocab = std::min<int64_t>(engine.model().config().vocabSize, engine.tokenizer().vocabSize());
    const auto tokens = at::randint(0, vocab, {1, options.tokens}, generator, at::kLong).to(engine.device());
    const auto* sae = engine.lorsa();
    const auto inHook = sae ? engine.lorsaInHook() : std::string();

    BenchmarkResult result;
    result.tokens = options.tokens;
    result.repeats = options.repeats;
    result.rssAfterLoadMb = currentRssMb();
    std::vector<double> modelSamples;
    std::vector<double> lorsaSamples;
    std::vector<double> totalSamples;
    at::Tensor lorsaInput;
    DevicePeaks modelPeaks(engine.device());
    DevicePeaks lorsaPeaks(engine.device());
    for (int run = 0; run < options.warmup + options.repeats; ++run) {
        ActivationCache cache;
        ForwardOptions forward;
        if (sae)
            forward.capture.names = {inHook};
        const double modelMs = modelPeaks.time([&] { engine.model().forward(tokens, cache, forward); });
        double lorsaMs = 0;
        if (sae) {
            lorsaInput = engine.lorsaInputFrom(cache.at(inHook), engine.inputMode().chosen);
            LorsaForwardOptions lorsaOptions;
            lorsaOptions.decoder = options.decoder;
            lorsaMs = lorsaPeaks.time([&] { sae->forward(lorsaInput, lorsaOptions); });
        }
        if (run < options.warmup)
            continue;
        modelSamples.push_back(modelMs);
        lorsaSamples.push_back(lorsaMs);
        totalSamples.push_back(modelMs + lorsaMs);
    }
    result.modelMs = timingStatsOf(modelSamples);
    result.lorsaMs = timingStatsOf(lorsaSamples);
    result.totalMs = timingStatsOf(totalSamples);
    result.tokensPerSecond = static_cast<double>(options.tokens) / (result.totalMs.median / 1000.0);
    result.peakRssMb = peakRssMb();
    if (modelPeaks.peakMb())
        result.gpuPeakMb = std::max(*modelPeaks.peakMb(), lorsaPeaks.peakMb().value_or(0));
    result.lorsaGpuWorkingMb = lorsaPeaks.workingMb();
    result.fusedAttention = sae && fusedAttentionOn(engine.device());

    if (options.baseline && sae) {
        LorsaForwardOptions straightforward;
        straightforward.straightforward = true;
        std::vector<double> samples;
        DevicePeaks baselinePeaks(engine.device());
        for (int run = 0; run < options.warmup + options.repeats; ++run) {
            const double ms = baselinePeaks.time([&] { sae->forward(lorsaInput, straightforward); });
            if (run >= options.warmup)
                samples.push_back(ms);
        }
        result.baselineLorsaMs = timingStatsOf(samples);
        result.baselinePeakRssMb = peakRssMb();
        result.baselineLorsaGpuWorkingMb = baselinePeaks.workingMb();
    }
    return result;
}

} // namespace lorsa
