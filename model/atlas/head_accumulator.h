#pragma once
/// \file
/// Per-head statistics and running top-N contexts of a batch stream, kept on the engine's
/// device with bounded memory: counts, sums, maxima, histograms [H] / [H,bins] and a top list
/// [H,N] merged with each batch's per-context maxima. Engine-internal (ATen).

#include "model/atlas/running_state.h"

#include <ATen/ATen.h>

#include <functional>

namespace lorsa {

class HeadAccumulator {
public:
    HeadAccumulator(int64_t heads, int64_t top, at::Device device);

    /// acts: [B,T,H] activations of a batch; lengths: each context's length with BOS (positions
    /// from there on are padding); ordinals: [B] each context's index in (document, start)
    /// order, -1 for a padding row. Position 0 (BOS) and padding count nowhere.
    void add(const at::Tensor& acts, const std::vector<int64_t>& lengths, const std::vector<int64_t>& ordinals);

    /// The state as plain data; top entries carry document and start from \p contextOf(ordinal).
    RunningState state(const std::function<std::pair<int64_t, int64_t>(int64_t)>& contextOf) const;
    /// Continues from \p state; \p ordinalOf maps (document, start) back to ordinals.
    void restore(const RunningState& state, const std::function<int64_t(int64_t, int64_t)>& ordinalOf);

private:
    int64_t m_heads;
    int64_t m_top;
    at::Device m_device;
    at::Tensor m_count;      // [H] int64
    at::Tensor m_sum;        // [H] float64
    at::Tensor m_max;        // [H] float32, -inf when never active
    at::Tensor m_histogram;  // [H,bins] int64
    at::Tensor m_topValue;   // [H,N] float32, -inf for an empty slot
    at::Tensor m_topOrdinal; // [H,N] int64, -1 for an empty slot
    at::Tensor m_topPosition;// [H,N] int64
};

} // namespace lorsa
