#pragma once
/// \file
/// The running state of an indexing run in plain vectors: what a checkpoint stores and a
/// resumed run starts from, and what shard atlases merge. No LibTorch.

#include <cstdint>
#include <vector>

namespace lorsa {

/// One entry of a head's running top list.
struct TopEntry {
    float activation = 0;
    int64_t document = 0;
    int64_t start = 0;
    int64_t position = 0;
};

/// Orders top entries: larger activation first, ties by the lower (document, start).
inline bool ranksBefore(const TopEntry& a, const TopEntry& b)
{
    if (a.activation != b.activation)
        return a.activation > b.activation;
    return a.document != b.document ? a.document < b.document : a.start < b.start;
}

struct RunningState {
    int64_t heads = 0;
    int64_t top = 0;
    std::vector<int64_t> activeCount;       // (heads)
    std::vector<double> activationSum;      // (heads) sum of non-zero activations
    std::vector<float> max;                 // (heads) -inf when never active
    std::vector<int64_t> histogram;         // (heads, kHistogramBins) row-major
    std::vector<std::vector<TopEntry>> topLists;  // (heads) lists, best first, at most `top`

    /// Zeroed state for \p heads heads keeping \p top contexts each.
    static RunningState empty(int64_t heads, int64_t top);
    /// Adds \p other (another part of the corpus) into this one: sums counts, sums and
    /// histograms, takes maxima, merges top lists by ranksBefore.
    void merge(const RunningState& other);
};

} // namespace lorsa
