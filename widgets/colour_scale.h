#pragma once
// Colour maps defined here rather than taken from QCustomPlot (2.1.0 has no viridis): a
// viridis-like sequential map for activations and attention, and a ColorBrewer RdBu-like diverging
// map, neutral at zero, for differences and signed contributions. Both are readable with the
// common colour-vision deficiencies and keep lightness monotonic on each side.

#include <QColor>
#include <QString>

namespace lorsa {

class ColourScale {
public:
    enum class Kind { Sequential, Diverging };

    /// Sequential over [lower, upper]; an empty or invalid range becomes [lower, lower + 1].
    static ColourScale sequential(double lower, double upper);
    /// Diverging over [-absMax, absMax], zero at the neutral centre.
    static ColourScale diverging(double absMax);

    Kind kind() const { return m_kind; }
    double lower() const { return m_lower; }
    double upper() const { return m_upper; }

    /// Colour of a data value; values outside the range are clamped, NaN is fully transparent.
    QColor colourAt(double value) const;
    /// Colour at a position t in [0, 1] along the map of \p kind (clamped; NaN -> transparent).
    static QColor colourAtUnit(Kind kind, double t);
    /// CIE L* (0..100) of a colour, for choosing readable text on top of it and for tests.
    static double lightness(const QColor& colour);

private:
    ColourScale(Kind kind, double lower, double upper);

    Kind m_kind;
    double m_lower;
    double m_upper;
};

} // namespace lorsa
