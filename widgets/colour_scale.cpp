#include "widgets/colour_scale.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace lorsa {
namespace {

struct Stop {
    double t;
    QRgb rgb;
};

// Viridis sampled at nine evenly spaced points; linear interpolation between them keeps
// lightness monotonic (checked by the tests on 256 samples).
constexpr std::array<Stop, 9> kSequential{{
    {0.000, 0x440154}, {0.125, 0x472c7a}, {0.250, 0x3b518b}, {0.375, 0x2c718e}, {0.500, 0x21908d},
    {0.625, 0x27ad81}, {0.750, 0x5cc863}, {0.875, 0xaadc32}, {1.000, 0xfde725},
}};

// ColorBrewer RdBu (reversed so that negative is blue), eleven classes, neutral #f7f7f7 at 0.5.
constexpr std::array<Stop, 11> kDiverging{{
    {0.0, 0x053061}, {0.1, 0x2166ac}, {0.2, 0x4393c3}, {0.3, 0x92c5de}, {0.4, 0xd1e5f0}, {0.5, 0xf7f7f7},
    {0.6, 0xfddbc7}, {0.7, 0xf4a582}, {0.8, 0xd6604d}, {0.9, 0xb2182b}, {1.0, 0x67001f},
}};

template <size_t N>
QColor interpolate(const std::array<Stop, N>& stops, double t)
{
    const auto upper = std::lower_bound(stops.begin(), stops.end(), t, [](const Stop& s, double v) { return s.t < v; });
    if (upper == stops.begin())
        return QColor::fromRgb(stops.front().rgb);
    if (upper == stops.end())
        return QColor::fromRgb(stops.back().rgb);
    const Stop& a = *(upper - 1);
    const Stop& b = *upper;
    const double f = (t - a.t) / (b.t - a.t);
    auto mix = [f](int x, int y) { return static_cast<int>(std::lround(x + (y - x) * f)); };
    return QColor(mix(qRed(a.rgb), qRed(b.rgb)), mix(qGreen(a.rgb), qGreen(b.rgb)), mix(qBlue(a.rgb), qBlue(b.rgb)));
}

double srgbToLinear(double c)
{
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

} // namespace

ColourScale::ColourScale(Kind kind, double lower, double upper) : m_kind(kind), m_lower(lower), m_upper(upper) {}

ColourScale ColourScale::sequential(double lower, double upper)
{
    if (!std::isfinite(lower))
        lower = 0;
    if (!std::isfinite(upper) || !(upper > lower))
        upper = lower + 1;
    return ColourScale(Kind::Sequential, lower, upper);
}

ColourScale ColourScale::diverging(double absMax)
{
    absMax = std::abs(absMax);
    if (!std::isfinite(absMax) || absMax == 0)
        absMax = 1;
    return ColourScale(Kind::Diverging, -absMax, absMax);
}

QColor ColourScale::colourAt(double value) const
{
    if (std::isnan(value))
        return QColor(0, 0, 0, 0);
    return colourAtUnit(m_kind, (value - m_lower) / (m_upper - m_lower));
}

QColor ColourScale::colourAtUnit(Kind kind, double t)
{
    if (std::isnan(t))
        return QColor(0, 0, 0, 0);
    t = std::clamp(t, 0.0, 1.0);
    return kind == Kind::Sequential ? interpolate(kSequential, t) : interpolate(kDiverging, t);
}

double ColourScale::lightness(const QColor& colour)
{
    const double y = 0.2126 * srgbToLinear(colour.redF()) + 0.7152 * srgbToLinear(colour.greenF())
        + 0.0722 * srgbToLinear(colour.blueF());
    return y > 216.0 / 24389.0 ? 116.0 * std::cbrt(y) - 16.0 : y * 24389.0 / 27.0;
}

} // namespace lorsa
