#include "model/tools/timing_stats.h"

#include <algorithm>
#include <cmath>

namespace lorsa {

TimingStats timingStatsOf(std::vector<double> samples)
{
    std::sort(samples.begin(), samples.end());
    TimingStats stats;
    stats.min = samples.front();
    stats.max = samples.back();
    const auto n = samples.size();
    stats.median = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
    return stats;
}

double percentileOf(std::vector<double> samples, double q)
{
    std::sort(samples.begin(), samples.end());
    const auto last = static_cast<double>(samples.size() - 1);
    return samples[static_cast<size_t>(std::lround(std::clamp(q, 0.0, 1.0) * last))];
}

} // namespace lorsa
