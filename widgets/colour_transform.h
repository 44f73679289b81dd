#pragma once
// How attention values are spread over a colour map: linearly, by square root or logarithmically
// (small weights of a peaked pattern become visible). One rule for the on-screen maps, their
// colour bars and exported figures. Pure functions.

#include <QString>

#include <optional>
#include <vector>

namespace lorsa {

enum class ColourTransform { Linear, SquareRoot, Log };

/// Decades below the upper end that a logarithmic scale shows; smaller values get its first colour.
inline constexpr double kLogDecades = 3;

/// Position in [0, 1] along the colour map of \p value on a scale over [lower, upper]: clamped,
/// NaN stays NaN. Log starts at upper / 10^kLogDecades when lower is not positive.
double transformedUnit(ColourTransform transform, double value, double lower, double upper);

/// A labelled tick of a colour bar, at \p position in [0, 1] along it.
struct ColourTick {
    double position = 0;
    QString label;
};
/// Round values within [lower, upper] (about five; decades for Log) placed where their colour is.
std::vector<ColourTick> colourBarTicks(ColourTransform transform, double lower, double upper);

/// "linear", "sqrt", "log" (the `lorsa figure --colour-scale` values) and back.
QString colourTransformKey(ColourTransform transform);
std::optional<ColourTransform> colourTransformFromKey(const QString& key);

} // namespace lorsa
