#include "widgets/bar_labels.h"

#include <algorithm>
#include <cmath>

namespace lorsa {

std::vector<int> chooseBarLabels(const std::vector<double>& values, const std::vector<double>& widths, double minFraction, double gap)
{
    std::vector<int> order;
    for (size_t i = 0; i < values.size(); ++i)
        if (std::isfinite(values[i]) && values[i] != 0)
            order.push_back(static_cast<int>(i));
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return std::abs(values[size_t(a)]) > std::abs(values[size_t(b)]); });
    std::vector<int> chosen;
    if (order.empty())
        return chosen;
    const double threshold = std::abs(values[size_t(order.front())]) * minFraction;
    const auto width = [&](int i) { return size_t(i) < widths.size() && std::isfinite(widths[size_t(i)]) ? std::max(0.0, widths[size_t(i)]) : 0.0; };
    for (int i : order) {
        if (!chosen.empty() && std::abs(values[size_t(i)]) < threshold)
            break;  // sorted: every later bar is smaller still
        const bool positive = values[size_t(i)] > 0;
        const bool fits = std::none_of(chosen.begin(), chosen.end(), [&](int j) {
            return (values[size_t(j)] > 0) == positive && std::abs(i - j) < (width(i) + width(j)) / 2 + gap;
        });
        if (chosen.empty() || fits)
            chosen.push_back(i);
    }
    std::sort(chosen.begin(), chosen.end());
    return chosen;
}

} // namespace lorsa
