#pragma once
/// \file
/// Forward-latency benchmark behind `lorsa bench`: medians and spreads of the model and the
/// Lorsa forward, throughput and peak memory, with the straightforward Lorsa forward (all QK
/// patterns materialised at once, as the reference Python code does) as an in-run baseline.

#include "model/engine/engine.h"
#include "model/tools/timing_stats.h"

#include <optional>

namespace lorsa {

struct BenchmarkResult {
    int64_t tokens = 0;
    int repeats = 0;
    TimingStats modelMs;             ///< full model forward to logits
    TimingStats lorsaMs;             ///< chunked Lorsa forward (no patterns kept)
    TimingStats totalMs;
    double tokensPerSecond = 0;      ///< tokens / median total
    double rssAfterLoadMb = 0;       ///< resident memory with the weights loaded
    double peakRssMb = 0;            ///< process peak after our forward passes
    std::optional<TimingStats> baselineLorsaMs;  ///< straightforward forward, when asked
    std::optional<double> baselinePeakRssMb;
    /// On an accelerator whose allocator LibTorch reports (device_memory.h): the allocator's peak
    /// over the model and Lorsa forwards (weights included), and the most one Lorsa forward
    /// allocated above what was live before it (its working memory), ours and the baseline's.
    std::optional<double> gpuPeakMb;
    std::optional<double> lorsaGpuWorkingMb;
    std::optional<double> baselineLorsaGpuWorkingMb;
    bool fusedAttention = false;  ///< the Lorsa ran through fusedCausalAttention
};

struct BenchmarkOptions {
    int64_t tokens = 128;
    int repeats = 5;
    int warmup = 1;
    bool baseline = false;
    uint64_t seed = 0;
    LorsaDecoder decoder = LorsaDecoder::Automatic;  ///< the timed Lorsa forward's decoder
};

BenchmarkResult runBenchmark(const Engine& engine, const BenchmarkOptions& options);

/// Resident set size now and the process's peak so far, in MiB.
double currentRssMb();
double peakRssMb();

} // namespace lorsa
