#include "model/training/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lorsa {

double warmupCosineLearningRate(int64_t step, int64_t totalSteps, int64_t warmupSteps, double peak, double floorFraction)
{
    const double floor = peak * floorFraction;
    if (step < 0)
        return 0.0;
    if (step < warmupSteps)
        return peak * static_cast<double>(step + 1) / static_cast<double>(warmupSteps);
    const int64_t decaySteps = totalSteps - warmupSteps - 1;
    if (decaySteps <= 0)
        return step < totalSteps ? peak : floor;
    const double progress = std::clamp(static_cast<double>(step - warmupSteps) / static_cast<double>(decaySteps), 0.0, 1.0);
    return floor + (peak - floor) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

} // namespace lorsa
