#include "model/engine/benchmark.h"

#include "model/core/error.h"

#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
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
    for (int run = 0; run < options.warmup + options.repeats; ++run) {
        ActivationCache cache;
        ForwardOptions forward;
        if (sae)
            forward.capture.names = {inHook};
        const double modelMs = timeMs(engine.device(), [&] { engine.model().forward(tokens, cache, forward); });
        double lorsaMs = 0;
        if (sae) {
            lorsaInput = engine.lorsaInputFrom(cache.at(inHook), engine.inputMode().chosen);
            lorsaMs = timeMs(engine.device(), [&] { sae->forward(lorsaInput); });
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

    if (options.baseline && sae) {
        LorsaForwardOptions straightforward;
        straightforward.straightforward = true;
        std::vector<double> samples;
        for (int run = 0; run < options.warmup + options.repeats; ++run) {
            const double ms = timeMs(engine.device(), [&] { sae->forward(lorsaInput, straightforward); });
            if (run >= options.warmup)
                samples.push_back(ms);
        }
        result.baselineLorsaMs = timingStatsOf(samples);
        result.baselinePeakRssMb = peakRssMb();
    }
    return result;
}

} // namespace lorsa
