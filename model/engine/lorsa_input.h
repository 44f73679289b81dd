#pragma once
/// \file
/// Which input a Lorsa checkpoint was trained on, and how the engine tells.
///
/// Two generations exist (FORMATS.md): the original release and Language-Model-SAEs before
/// v2.0.0b32 read the norm output *with* its weight and bias ("affine"); current ones read the
/// plain normalised vector ("normalized"). Nothing in a checkpoint records it, so the engine
/// measures the reconstruction error under each on a calibration text and picks the better.

#include <optional>
#include <string>

namespace lorsa {

enum class LorsaInputMode { Normalized, Affine };

std::string inputModeName(LorsaInputMode mode);
/// Parses "normalized" | "affine"; throws Error(InvalidInput) otherwise.
LorsaInputMode parseInputMode(const std::string& name);

/// The outcome of detection, with the evidence shown to the user.
struct InputModeEvidence {
    LorsaInputMode chosen = LorsaInputMode::Normalized;
    std::string how;                  ///< "detected", "default (inconclusive)", "override", "recorded in the checkpoint"
    std::optional<double> fvuNormalized;  ///< FVU on the calibration text under each input
    std::optional<double> fvuAffine;
    int64_t calibrationTokens = 0;

    std::string summary() const;      ///< one line for logs and `lorsa inspect`
};

/// Picks a mode from the two FVUs: the lower wins when it is clearly lower (ratio below
/// kDecisiveRatio) and explains a meaningful share of variance; otherwise \p fallback.
InputModeEvidence decideInputMode(double fvuNormalized, double fvuAffine, LorsaInputMode fallback, int64_t tokens);

/// Below this ratio of the smaller to the larger FVU the evidence counts as conclusive.
inline constexpr double kDecisiveRatio = 0.8;
/// A reconstruction that explains less than this share of variance under both inputs is noise.
inline constexpr double kUsefulFvu = 0.95;

/// A few hundred tokens of ordinary English used to calibrate (in every tokenizer's reach).
const std::string& calibrationText();

} // namespace lorsa
