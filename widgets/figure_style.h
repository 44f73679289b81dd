#pragma once
// The figure options that reach a view's drawing (besides its size): text size, title, colour
// range and colour transform. Views that take them say so (FigureSource::takesFigureStyle); the
// others are drawn as they are.

#include "widgets/colour_transform.h"

#include <optional>

namespace lorsa {

struct FigureStyle {
    /// How the colour range of the attention maps is chosen.
    enum class Range {
        Shared,  ///< 0 .. the largest value of all maps, one colour bar
        PerMap,  ///< 0 .. each map's largest value, a colour bar under each map
        Fixed,   ///< lower .. upper for every map, one colour bar
    };
    double fontPt = 0;  ///< base text size in points; 0: the view's own
    bool title = true;
    Range range = Range::Shared;
    double lower = 0;  ///< Range::Fixed
    double upper = 1;  ///< Range::Fixed
    /// Unset: the view's current choice (its context menu).
    std::optional<ColourTransform> transform;
};

} // namespace lorsa
