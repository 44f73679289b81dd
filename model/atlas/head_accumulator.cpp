#include "model/atlas/head_accumulator.h"

#include "model/atlas/atlas_types.h"

#include <limits>

namespace lorsa {
namespace {

constexpr float kEmpty = -std::numeric_limits<float>::infinity();

std::vector<float> toFloats(const at::Tensor& t)
{
    const auto c = t.to(at::kCPU, at::kFloat).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

std::vector<int64_t> toLongs(const at::Tensor& t)
{
    const auto c = t.to(at::kCPU, at::kLong).contiguous();
    return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

} // namespace

HeadAccumulator::HeadAccumulator(int64_t heads, int64_t top, at::Device device)
    : m_heads(heads), m_top(top), m_device(device)
{
    const auto longs = at::TensorOptions().dtype(at::kLong).device(device);
    m_count = at::zeros({heads}, longs);
    m_sum = at::zeros({heads}, at::TensorOptions().dtype(at::kDouble).device(device));
    m_max = at::full({heads}, kEmpty, at::TensorOptions().dtype(at::kFloat).device(device));
    m_histogram = at::zeros({heads, kHistogramBins}, longs);
    m_topValue = at::full({heads, top}, kEmpty, at::TensorOptions().dtype(at::kFloat).device(device));
    m_topOrdinal = at::full({heads, top}, -1, longs);
    m_topPosition = at::zeros({heads, top}, longs);
}

void HeadAccumulator::add(const at::Tensor& actsIn, const std::vector<int64_t>& lengths, const std::vector<int64_t>& ordinals)
{
    const auto acts = actsIn.to(at::kFloat);  // [B,T,H]
    const int64_t batch = acts.size(0), positions = acts.size(1);
    const auto longs = at::TensorOptions().dtype(at::kLong).device(m_device);
    const auto length = at::tensor(lengths, at::kLong).to(m_device);                      // [B]
    const auto index = at::arange(positions, longs);                                      // [T]
    const auto valid = (index.unsqueeze(0) >= 1) & (index.unsqueeze(0) < length.unsqueeze(1));  // [B,T]
    const auto masked = acts * valid.unsqueeze(2).to(at::kFloat);                         // [B,T,H]

    // The activations are sparse (top-k per token): work on the non-zero entries only.
    const auto flat = masked.reshape({-1, m_heads});
    const auto nonzero = flat.nonzero();                                                  // [K,2] (row, head)
    if (nonzero.size(0) > 0) {
        const auto heads = nonzero.select(1, 1);
        const auto values = flat.index({nonzero.select(1, 0), heads});                    // [K]
        m_count.index_add_(0, heads, at::ones_like(heads));
        m_sum.index_add_(0, heads, values.to(at::kDouble));
        // Histogram over log-spaced bins of |a| (atlas_types.h).
        const auto bins = ((values.to(at::kDouble).abs().log10() - kHistogramMinExponent) * kHistogramBinsPerDecade)
                              .floor()
                              .clamp(0, kHistogramBins - 1)
                              .to(at::kLong);
        const auto cells = heads * kHistogramBins + bins;
        m_histogram.view({-1}).index_put_({cells}, at::ones_like(cells), /*accumulate=*/true);
    }

    m_max = at::maximum(m_max, at::where(flat != 0, flat, at::full({}, kEmpty, flat.options())).amax(0));

    // Each context's peak (argmax gives the first position of the maximum) enters the running
    // top lists; padding and BOS are zero in masked, so a positive peak is a real position.
    const auto peak = masked.amax(1);                                                     // [B,H]
    const auto position = masked.argmax(1);                                               // [B,H]
    const auto ordinal = at::tensor(ordinals, at::kLong).to(m_device);                    // [B]
    const auto candidate = (peak > 0) & (ordinal >= 0).unsqueeze(1);
    const auto value = at::where(candidate, peak, at::full({}, kEmpty, peak.options())).t();     // [H,B]
    const auto ordinals2 = at::where(candidate, ordinal.unsqueeze(1).expand({batch, m_heads}), at::full({}, -1, longs)).t();
    auto allValue = at::cat({m_topValue, value}, 1);                                      // [H,N+B]
    auto allOrdinal = at::cat({m_topOrdinal, ordinals2}, 1);
    auto allPosition = at::cat({m_topPosition, position.t()}, 1);
    // Ties keep the lower ordinal = the lower (document, start): sort by ordinal, then stably by
    // value. Empty slots (-inf) sort last.
    const auto byOrdinal = std::get<1>(at::sort(allOrdinal, /*stable=*/true, 1, /*descending=*/false));
    allValue = allValue.gather(1, byOrdinal);
    allOrdinal = allOrdinal.gather(1, byOrdinal);
    allPosition = allPosition.gather(1, byOrdinal);
    const auto byValue = std::get<1>(at::sort(allValue, /*stable=*/true, 1, /*descending=*/true)).narrow(1, 0, m_top);
    m_topValue = allValue.gather(1, byValue);
    m_topOrdinal = allOrdinal.gather(1, byValue);
    m_topPosition = allPosition.gather(1, byValue);
}

RunningState HeadAccumulator::state(const std::function<std::pair<int64_t, int64_t>(int64_t)>& contextOf) const
{
    auto state = RunningState::empty(m_heads, m_top);
    state.activeCount = toLongs(m_count);
    const auto sum = m_sum.to(at::kCPU).contiguous();
    state.activationSum.assign(sum.data_ptr<double>(), sum.data_ptr<double>() + sum.numel());
    state.max = toFloats(m_max);
    state.histogram = toLongs(m_histogram);
    const auto values = toFloats(m_topValue);
    const auto ordinals = toLongs(m_topOrdinal), positions = toLongs(m_topPosition);
    for (int64_t h = 0; h < m_heads; ++h)
        for (int64_t r = 0; r < m_top; ++r) {
            const auto i = static_cast<size_t>(h * m_top + r);
            if (ordinals[i] < 0)
                break;
            const auto [document, start] = contextOf(ordinals[i]);
            state.topLists[static_cast<size_t>(h)].push_back({values[i], document, start, positions[i]});
        }
    return state;
}

void HeadAccumulator::restore(const RunningState& state, const std::function<int64_t(int64_t, int64_t)>& ordinalOf)
{
    const auto longs = at::TensorOptions().dtype(at::kLong);
    m_count = at::tensor(state.activeCount, longs).to(m_device);
    m_sum = at::tensor(state.activationSum, at::TensorOptions().dtype(at::kDouble)).to(m_device);
    m_max = at::tensor(state.max, at::TensorOptions().dtype(at::kFloat)).to(m_device);
    m_histogram = at::tensor(state.histogram, longs).reshape({m_heads, kHistogramBins}).to(m_device);
    std::vector<float> values(static_cast<size_t>(m_heads * m_top), kEmpty);
    std::vector<int64_t> ordinals(values.size(), -1), positions(values.size(), 0);
    for (int64_t h = 0; h < m_heads; ++h) {
        const auto& list = state.topLists[static_cast<size_t>(h)];
        for (size_t r = 0; r < list.size() && static_cast<int64_t>(r) < m_top; ++r) {
            const auto i = static_cast<size_t>(h * m_top) + r;
            values[i] = list[r].activation;
            ordinals[i] = ordinalOf(list[r].document, list[r].start);
            positions[i] = list[r].position;
        }
    }
    m_topValue = at::tensor(values, at::TensorOptions().dtype(at::kFloat)).reshape({m_heads, m_top}).to(m_device);
    m_topOrdinal = at::tensor(ordinals, longs).reshape({m_heads, m_top}).to(m_device);
    m_topPosition = at::tensor(positions, longs).reshape({m_heads, m_top}).to(m_device);
}

} // namespace lorsa
