#pragma once
/// \file
/// What one keystroke costs in the explorer: behind `lorsa bench --typing`. A prompt grows by one
/// token's text per keystroke, and each keystroke runs what the explorer's worker runs after its
/// debounce (ExplorerSession::analyze, then headDetail of the strongest head at the last token),
/// once reusing each prompt's prefix and once, as the baseline, recomputing every prompt whole.

#include "model/tools/benchmark.h"
#include "model/engine/explorer_session.h"

namespace lorsa {

struct TypingBenchmarkOptions {
    int64_t tokens = 128;     ///< prompt length (BOS included) at the last keystroke
    int64_t keystrokes = 32;  ///< timed keystrokes, ending at `tokens`
    int warmup = 2;           ///< untimed keystrokes before them
};

/// The per-keystroke times of one way of running the keystrokes.
struct KeystrokeTimings {
    TimingStats analyzeMs;     ///< ExplorerSession::analyze per keystroke
    TimingStats headDetailMs;  ///< ExplorerSession::headDetail per keystroke
    TimingStats totalMs;       ///< both: the worker's time from keystroke to views' data
    double p90TotalMs = 0;
};

struct TypingBenchmarkResult {
    int64_t tokens = 0;
    int64_t keystrokes = 0;
    KeystrokeTimings reusing;     ///< as the explorer runs: each prompt reuses the last one's prefix
    KeystrokeTimings recomputing; ///< the baseline, in the same run: every prompt computed whole
    /// recomputing / reusing median per keystroke.
    double speedUp() const { return reusing.totalMs.median > 0 ? recomputing.totalMs.median / reusing.totalMs.median : 0.0; }
};

/// Types a prefix of the engine's built-in calibration text (repeated as needed) token by token.
/// Throws Error(InvalidInput) when the session has no Lorsa, or `tokens` does not fit the
/// model's context or is not more than `keystrokes + warmup`.
TypingBenchmarkResult runTypingBenchmark(ExplorerSession& session, const TypingBenchmarkOptions& options);

} // namespace lorsa
