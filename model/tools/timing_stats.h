#pragma once
/// \file
/// Summaries of timing samples, shared by the benchmarks of the engine and of the explorer
/// window (plain C++: Qt files may include it).

#include <vector>

namespace lorsa {

struct TimingStats {
    double median = 0;
    double min = 0;
    double max = 0;
};

/// Median, minimum and maximum of \p samples (not empty).
TimingStats timingStatsOf(std::vector<double> samples);

/// The nearest-rank \p q quantile (0..1) of \p samples (not empty): 0.9 gives the 90th percentile.
double percentileOf(std::vector<double> samples, double q);

} // namespace lorsa
