#include "model/transformer/rotary.h"

#include <cmath>

namespace lorsa {

namespace {
// std::numbers::pi, spelled out: the fuzz build compiles the engine as C++17 (see CMakeLists.txt).
constexpr double kPi = 3.14159265358979323846;
} // namespace

at::Tensor rotaryInverseFrequencies(const ModelConfig& config)
{
    const int64_t r = config.rotaryDim;
    const auto options = at::TensorOptions().dtype(at::kDouble);
    // inv_freq_i = base^(-2i/r), i < r/2 (transformers' _compute_default_rope_parameters).
    auto invFreq = at::pow(config.ropeTheta, at::arange(0, r, 2, options) / double(r)).reciprocal();
    if (!config.llama3Scaling)
        return invFreq;
    // transformers' _compute_llama3_parameters: long wavelengths are divided by the factor, short
    // ones kept, the band between interpolated smoothly.
    const auto& s = *config.llama3Scaling;
    const double oldContext = double(s.originalMaxPositionEmbeddings);
    const double lowFreqWavelen = oldContext / s.lowFreqFactor;
    const double highFreqWavelen = oldContext / s.highFreqFactor;
    const auto wavelen = (2.0 * kPi) / invFreq;
    auto adjusted = at::where(wavelen > lowFreqWavelen, invFreq / s.factor, invFreq);
    const auto smooth = (oldContext / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    const auto smoothed = (1.0 - smooth) * adjusted / s.factor + smooth * adjusted;
    const auto medium = at::logical_not(wavelen < highFreqWavelen).logical_and(at::logical_not(wavelen > lowFreqWavelen));
    return at::where(medium, smoothed, adjusted);
}

RotaryTables rotaryTables(const ModelConfig& config, int64_t positions, at::Device device, at::ScalarType dtype,
                          int64_t firstPosition)
{
    const auto invFreq = rotaryInverseFrequencies(config);  // [r/2]
    const auto angles = at::outer(at::arange(firstPosition, firstPosition + positions, invFreq.options()), invFreq);  // [T, r/2]
    const auto both = at::cat({angles, angles}, 1);                                         // [T, r]
    return {both.cos().to(device, dtype), both.sin().to(device, dtype)};
}

at::Tensor applyRotary(const at::Tensor& x, const RotaryTables& tables)
{
    const int64_t r = tables.cos.size(1);
    const int64_t T = x.size(1);
    const auto cos = tables.cos.narrow(0, 0, T).view({1, T, 1, r});
    const auto sin = tables.sin.narrow(0, 0, T).view({1, T, 1, r});
    const auto rot = x.narrow(-1, 0, r);
    const auto first = rot.narrow(-1, 0, r / 2);
    const auto second = rot.narrow(-1, r / 2, r / 2);
    const auto rotated = at::cat({-second, first}, -1) * sin + rot * cos;
    if (r == x.size(-1))
        return rotated;
    return at::cat({rotated, x.narrow(-1, r, x.size(-1) - r)}, -1);
}

} // namespace lorsa
