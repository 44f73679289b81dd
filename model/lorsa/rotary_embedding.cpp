#include "model/lorsa/rotary_embedding.h"

#include <cmath>

namespace lorsa {

namespace {
// std::numbers::pi, spelled out: the fuzz build compiles the engine as C++17 (see CMakeLists.txt).
constexpr double kPi = 3.14159265358979323846;
} // namespace

RotaryEmbedding::RotaryEmbedding(const LorsaConfig& config, at::Device device, at::ScalarType dtype)
    : m_dim(config.rotaryDim), m_scale(static_cast<int64_t>(config.rotaryScale)), m_adjacent(config.rotaryAdjacentPairs)
{
    // Upstream computes the tables in float32 unless the weights are float64: match it, so that
    // angles at long positions round the same way.
    const auto high = dtype == at::kDouble ? at::kDouble : at::kFloat;
    const auto opts = at::TensorOptions().dtype(high);
    const auto pos = at::arange(config.nCtx, opts);  // [n_ctx]
    at::Tensor freq;                                   // [rotary_dim/2]
    if (config.useNtkByPartsRope) {
        const auto invFreq =
            1.0 / at::pow(config.rotaryBase, at::arange(0, m_dim, 2, at::kLong).to(at::kFloat) / static_cast<double>(m_dim));
        const double factor = config.ntkFactor;
        const double low = config.ntkLowFreqFactor;
        const double highFactor = config.ntkHighFreqFactor;
        const double oldLen = static_cast<double>(config.oldContextLength);
        const double lowFreqWavelen = oldLen / low;
        const double highFreqWavelen = oldLen / highFactor;
        const auto wavelen = 2 * kPi / invFreq;
        auto invFreqLlama = at::where(wavelen > lowFreqWavelen, invFreq / factor, invFreq);
        const auto smooth = (oldLen / wavelen - low) / (highFactor - low);
        const auto smoothed = (1 - smooth) * invFreqLlama / factor + smooth * invFreqLlama;
        const auto medium = at::logical_not(wavelen < highFreqWavelen).logical_and(at::logical_not(wavelen > lowFreqWavelen));
        invFreqLlama = at::where(medium, smoothed, invFreqLlama);
        freq = (1 / invFreqLlama).to(high);
    } else {
        const auto dim = at::arange(m_dim / 2, opts);
        freq = at::pow(config.rotaryBase, dim / (static_cast<double>(m_dim) / 2));
    }
    // Adjacent pairs: (f0,f0,f1,f1,...); NeoX halves: (f0,f1,...,f0,f1,...).
    freq = m_adjacent ? freq.repeat_interleave(2) : freq.repeat({2});
    const auto angles = pos.unsqueeze(1) / freq.unsqueeze(0);  // [n_ctx, rotary_dim]
    m_signedSin = at::sin(angles).to(dtype).to(device);
    m_cos = at::cos(angles).to(dtype).to(device);
    foldSignIntoSin();
}

RotaryEmbedding::RotaryEmbedding(const LorsaConfig& config, const at::Tensor& sin, const at::Tensor& cos, at::Device device,
                                 at::ScalarType dtype)
    : m_dim(config.rotaryDim), m_scale(static_cast<int64_t>(config.rotaryScale)), m_adjacent(config.rotaryAdjacentPairs)
{
    m_signedSin = sin.to(dtype).to(device);
    m_cos = cos.to(dtype).to(device);
    foldSignIntoSin();
}

void RotaryEmbedding::foldSignIntoSin()
{
    // Negating a float is exact: (b) * (-sin) is upstream's (-b) * sin.
    m_signedSin = m_signedSin.clone();
    if (m_adjacent)
        m_signedSin.unflatten(-1, {-1, 2}).select(-1, 0).neg_();
    else
        m_signedSin.narrow(-1, 0, m_dim / 2).neg_();
}

at::Tensor RotaryEmbedding::swapPairs(const at::Tensor& x) const
{
    if (m_adjacent)
        return x.unflatten(-1, {-1, 2}).flip(-1).flatten(-2);
    const int64_t half = x.size(-1) / 2;
    return at::cat({x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

at::Tensor RotaryEmbedding::apply(const at::Tensor& x, int64_t firstPosition) const
{
    const auto input = m_scale > 1 ? x.repeat_interleave(m_scale, -1) : x;
    const int64_t positions = input.size(1), width = input.size(-1);
    const auto cos = m_cos.narrow(0, firstPosition, positions).unsqueeze(0).unsqueeze(2);  // [1,T,1,rd]
    const auto sin = m_signedSin.narrow(0, firstPosition, positions).unsqueeze(0).unsqueeze(2);
    const auto rot = m_dim == width ? input : input.narrow(-1, 0, m_dim);
    auto rotated = at::addcmul(rot * cos, swapPairs(rot), sin);
    if (m_dim == width)
        return rotated;
    return at::cat({rotated, input.narrow(-1, m_dim, width - m_dim)}, -1);
}

} // namespace lorsa
