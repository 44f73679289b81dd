#pragma once
/// \file
/// The learning-rate schedule of the language-model trainer: linear warm-up, then cosine decay.

#include <cstdint>

namespace lorsa {

/// Learning rate at optimiser step \p step (0-based) of \p totalSteps: rises linearly from
/// peak/warmup to \p peak over the first \p warmupSteps steps (step w-1 gets the full peak),
/// then follows a cosine from \p peak down to peak * \p floorFraction at the last step.
/// Steps past the end stay at the floor.
double warmupCosineLearningRate(int64_t step, int64_t totalSteps, int64_t warmupSteps, double peak, double floorFraction);

} // namespace lorsa
