#include "model/atlas/state_store.h"

#include "model/atlas/atlas_types.h"
#include "model/core/error.h"

#include <limits>

namespace lorsa {

void writeRunningState(AtlasFile& atlas, const RunningState& state)
{
    atlas.db().exec("DELETE FROM head_stats");
    SqliteStatement insert(atlas.db(), "INSERT INTO head_stats (head, active_count, activation_sum, max, histogram, top_activation, "
                                       "top_document, top_start, top_position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (int64_t h = 0; h < state.heads; ++h) {
        const auto i = static_cast<size_t>(h);
        const auto& list = state.topLists[i];
        std::vector<float> values;
        std::vector<int64_t> documents, starts, positions;
        for (const auto& entry : list) {
            values.push_back(entry.activation);
            documents.push_back(entry.document);
            starts.push_back(entry.start);
            positions.push_back(entry.position);
        }
        const std::vector<int64_t> histogram(state.histogram.begin() + static_cast<std::ptrdiff_t>(i * kHistogramBins),
                                             state.histogram.begin() + static_cast<std::ptrdiff_t>((i + 1) * kHistogramBins));
        // A head never active stores max 0 (SQLite has no portable -inf); the count says which.
        const double max = state.activeCount[i] > 0 ? static_cast<double>(state.max[i]) : 0.0;
        insert.bind(1, h).bind(2, state.activeCount[i]).bind(3, state.activationSum[i]).bind(4, max);
        insert.bindVector(5, histogram).bindVector(6, values).bindVector(7, documents).bindVector(8, starts).bindVector(9, positions);
        insert.run();
    }
}

RunningState readRunningState(AtlasFile& atlas, int64_t heads, int64_t top)
{
    auto state = RunningState::empty(heads, top);
    SqliteStatement select(atlas.db(), "SELECT head, active_count, activation_sum, max, histogram, top_activation, top_document, "
                                       "top_start, top_position FROM head_stats ORDER BY head");
    int64_t expected = 0;
    const auto damaged = [&](const std::string& what) {
        return Error(ErrorKind::InvalidFile, atlas.path().string() + ": head_stats " + what + " (damaged atlas)");
    };
    while (select.step()) {
        const auto h = select.integer(0);
        if (h != expected)
            throw damaged("has head " + std::to_string(h) + " where " + std::to_string(expected) + " was expected");
        ++expected;
        const auto i = static_cast<size_t>(h);
        state.activeCount[i] = select.integer(1);
        state.activationSum[i] = select.real(2);
        state.max[i] = state.activeCount[i] > 0 ? static_cast<float>(select.real(3)) : -std::numeric_limits<float>::infinity();
        const auto histogram = select.blob<int64_t>(4);
        if (histogram.size() != static_cast<size_t>(kHistogramBins))
            throw damaged("histogram of head " + std::to_string(h) + " has " + std::to_string(histogram.size()) + " bins");
        std::copy(histogram.begin(), histogram.end(), state.histogram.begin() + static_cast<std::ptrdiff_t>(i * kHistogramBins));
        const auto values = select.blob<float>(5);
        const auto documents = select.blob<int64_t>(6), starts = select.blob<int64_t>(7), positions = select.blob<int64_t>(8);
        if (documents.size() != values.size() || starts.size() != values.size() || positions.size() != values.size() ||
            static_cast<int64_t>(values.size()) > top)
            throw damaged("top list of head " + std::to_string(h) + " is inconsistent");
        for (size_t r = 0; r < values.size(); ++r)
            state.topLists[i].push_back({values[r], documents[r], starts[r], positions[r]});
    }
    if (expected != heads)
        throw damaged("holds " + std::to_string(expected) + " heads, expected " + std::to_string(heads));
    return state;
}

} // namespace lorsa
