#include "model/atlas/running_state.h"

#include "model/atlas/atlas_types.h"
#include "model/core/error.h"

#include <algorithm>
#include <limits>

namespace lorsa {

RunningState RunningState::empty(int64_t heads, int64_t top)
{
    RunningState state;
    state.heads = heads;
    state.top = top;
    const auto n = static_cast<size_t>(heads);
    state.activeCount.assign(n, 0);
    state.activationSum.assign(n, 0.0);
    state.max.assign(n, -std::numeric_limits<float>::infinity());
    state.histogram.assign(n * kHistogramBins, 0);
    state.topLists.assign(n, {});
    return state;
}

void RunningState::merge(const RunningState& other)
{
    if (other.heads != heads || other.top != top)
        throw Error(ErrorKind::Mismatch, "cannot merge atlases of " + std::to_string(other.heads) + " heads / top " +
                                             std::to_string(other.top) + " into " + std::to_string(heads) + " heads / top " +
                                             std::to_string(top));
    for (size_t h = 0; h < static_cast<size_t>(heads); ++h) {
        activeCount[h] += other.activeCount[h];
        activationSum[h] += other.activationSum[h];
        max[h] = std::max(max[h], other.max[h]);
        auto& list = topLists[h];
        list.insert(list.end(), other.topLists[h].begin(), other.topLists[h].end());
        std::stable_sort(list.begin(), list.end(), ranksBefore);
        if (static_cast<int64_t>(list.size()) > top)
            list.resize(static_cast<size_t>(top));
    }
    for (size_t i = 0; i < histogram.size(); ++i)
        histogram[i] += other.histogram[i];
}

} // namespace lorsa
