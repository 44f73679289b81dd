#pragma once
/// \file
/// Storing a RunningState in an atlas's head_stats table (one row per head) and reading it back,
/// for checkpoints, resumed runs and merges. No LibTorch.

#include "model/atlas/atlas_file.h"
#include "model/atlas/running_state.h"

namespace lorsa {

/// Replaces the head_stats rows with \p state (inside the caller's transaction).
void writeRunningState(AtlasFile& atlas, const RunningState& state);

/// Reads the head_stats rows; throws Error(InvalidFile) when they do not cover heads 0..heads-1.
RunningState readRunningState(AtlasFile& atlas, int64_t heads, int64_t top);

} // namespace lorsa
