#include "widgets/label_thinning.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lorsa {

int labelStep(double span, double pixels, double extent)
{
    if (!(span > 0))
        return 1;
    const double nothingFits = std::floor(span) + 1;
    if (!(pixels > 0) || !std::isfinite(pixels) || !std::isfinite(extent))
        return static_cast<int>(std::min<double>(nothingFits, std::numeric_limits<int>::max()));
    // A hair of tolerance so that labels exactly one extent apart (touching) count as fitting
    // despite rounding, without ever letting overlapping ones through.
    const double step = std::ceil(std::max(0.0, extent) * span / pixels - 1e-9);
    return static_cast<int>(std::clamp(step, 1.0, std::min<double>(nothingFits, std::numeric_limits<int>::max())));
}

std::vector<int> labelledTokens(int first, int last, int step)
{
    std::vector<int> tokens;
    step = std::max(1, step);
    first = std::max(0, first);
    for (long long i = (static_cast<long long>(first) + step - 1) / step * step; i <= last; i += step)
        tokens.push_back(static_cast<int>(i));
    return tokens;
}

QString tokenAxisLabel(const QString& display)
{
    return display.size() > 10 ? display.left(9) + QChar(0x2026) : display;
}

} // namespace lorsa
