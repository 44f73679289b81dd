#include "widgets/z_pattern_stats.h"

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

bool hasRow(const FloatMatrix& z, int query)
{
    return query >= 0 && query < z.rows && z.cols >= z.rows && z.values.size() == static_cast<size_t>(z.rows * z.cols);
}

} // namespace

std::vector<KeyContribution> rankContributions(const FloatMatrix& z, int query, int count)
{
    std::vector<KeyContribution> keys;
    if (!hasRow(z, query) || count <= 0)
        return keys;
    double total = 0;
    for (int k = 0; k <= query; ++k) {
        const double c = z.at(query, k);
        if (!std::isfinite(c))
            continue;
        keys.push_back({k, c, 0});
        total += std::abs(c);
    }
    // Ties keep the earlier key first, so that the list does not shuffle between equal bars.
    std::stable_sort(keys.begin(), keys.end(), [](const KeyContribution& x, const KeyContribution& y) { return std::abs(x.value) > std::abs(y.value); });
    if (keys.size() > static_cast<size_t>(count))
        keys.resize(static_cast<size_t>(count));
    for (KeyContribution& key : keys)
        key.share = total > 0 ? std::abs(key.value) / total : 0;
    return keys;
}

double rowAbsMax(const FloatMatrix& z, int query)
{
    if (!hasRow(z, query))
        return 0;
    double largest = 1e-6;
    for (int k = 0; k <= query; ++k) {
        const double c = z.at(query, k);
        if (std::isfinite(c))
            largest = std::max(largest, std::abs(c));
    }
    return largest;
}

} // namespace lorsa
