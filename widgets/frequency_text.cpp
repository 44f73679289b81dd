#include "widgets/frequency_text.h"

#include <algorithm>
#include <cmath>

namespace lorsa {

QString frequencyText(double fraction)
{
    const double percent = 100.0 * fraction;
    if (!(percent > 0))
        return QStringLiteral("0%");
    // Below 1%, as many decimals as two significant digits need (0.07 -> 0.070).
    const int decimals = percent >= 1.0 ? 1 : std::min(12, 1 - static_cast<int>(std::floor(std::log10(percent))));
    return QStringLiteral("%1%").arg(percent, 0, 'f', decimals);
}

} // namespace lorsa
