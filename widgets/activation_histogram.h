#pragma once
// A head's activation histogram from its atlas entry: the log-spaced bins of |activation| on a
// log axis with log-scaled counts. Shared by the head page and the head card figure.

#include "model/atlas/atlas_types.h"
#include "widgets/theme.h"

class QCustomPlot;

namespace lorsa {

/// Replaces \p plot's plottables with \p head's histogram (bars in \p theme's line colour) and
/// sets both axes; the caller themes the rest of the plot.
void plotActivationHistogram(QCustomPlot* plot, const AtlasHead& head, const Theme& theme);

} // namespace lorsa
