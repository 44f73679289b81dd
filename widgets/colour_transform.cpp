#include "widgets/colour_transform.h"

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

double logFloor(double lower, double upper)
{
    return lower > 0 ? lower : upper * std::pow(10.0, -kLogDecades);
}

/// 1, 2 or 5 times a power of ten, the nearest to (upper - lower) / 4 (four or so intervals).
double niceStep(double lower, double upper)
{
    const double raw = (upper - lower) / 4;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double best = magnitude;
    for (double factor : {2.0, 5.0, 10.0})
        if (std::abs(std::log(factor * magnitude / raw)) < std::abs(std::log(best / raw)))
            best = factor * magnitude;
    return best;
}

} // namespace

double transformedUnit(ColourTransform transform, double value, double lower, double upper)
{
    if (std::isnan(value))
        return value;
    if (!(upper > lower))
        return 0;
    if (transform == ColourTransform::Log) {
        if (!(upper > 0))
            return 0;
        const double floor = logFloor(lower, upper);
        return value <= floor ? 0 : std::clamp(std::log(value / floor) / std::log(upper / floor), 0.0, 1.0);
    }
    const double t = std::clamp((value - lower) / (upper - lower), 0.0, 1.0);
    return transform == ColourTransform::SquareRoot ? std::sqrt(t) : t;
}

std::vector<ColourTick> colourBarTicks(ColourTransform transform, double lower, double upper)
{
    std::vector<ColourTick> ticks;
    if (!(upper > lower) || !std::isfinite(lower) || !std::isfinite(upper))
        return ticks;
    std::vector<double> values;
    if (transform == ColourTransform::Log) {
        if (!(upper > 0))
            return ticks;
        const double floor = logFloor(lower, upper);
        for (double e = std::ceil(std::log10(floor) - 1e-9); e <= std::log10(upper) + 1e-9; ++e)
            values.push_back(std::pow(10.0, e));
    } else if (transform == ColourTransform::SquareRoot) {
        // Evenly spaced along the bar, then rounded to two digits (placed where the rounded value is).
        for (double u : {0.0, 0.25, 0.5, 0.75, 1.0})
            values.push_back(QString::number(lower + (upper - lower) * u * u, 'g', 2).toDouble());
        values.erase(std::unique(values.begin(), values.end()), values.end());
    } else {
        const double step = niceStep(lower, upper);
        for (double v = std::ceil(lower / step - 1e-9) * step; v <= upper + step * 1e-9; v += step)
            values.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    }
    for (double v : values)
        ticks.push_back({transformedUnit(transform, v, lower, upper), QString::number(v, 'g', 3)});
    return ticks;
}

QString colourTransformKey(ColourTransform transform)
{
    switch (transform) {
    case ColourTransform::SquareRoot:
        return QStringLiteral("sqrt");
    case ColourTransform::Log:
        return QStringLiteral("log");
    case ColourTransform::Linear:
        break;
    }
    return QStringLiteral("linear");
}

std::optional<ColourTransform> colourTransformFromKey(const QString& key)
{
    for (ColourTransform t : {ColourTransform::Linear, ColourTransform::SquareRoot, ColourTransform::Log})
        if (colourTransformKey(t) == key)
            return t;
    return std::nullopt;
}

} // namespace lorsa
