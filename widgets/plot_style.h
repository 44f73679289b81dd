#pragma once
// Private to widgets/: QCustomPlot pieces shared by the plotting views. Includes QCustomPlot, so
// only widgets/*.cpp files may include this header.

#include "widgets/colour_scale.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/theme.h"

namespace lorsa {

/// The ColourScale maps as QCustomPlot gradients (NaN transparent, 256 levels, RGB steps).
QCPColorGradient colourGradient(ColourScale::Kind kind);

/// Colours axes, tick labels, grids, titles and the background of \p plot from \p theme.
void applyPlotTheme(QCustomPlot* plot, const Theme& theme);

/// Labels \p axis with token texts at integer positions: as many as fit its current length in
/// pixels and its visible range (every n-th token otherwise, also when zoomed), in a small font.
void setTokenTicks(QCPAxis* axis, const QStringList& labels);

/// A colour map that draws its cells as vector rectangles when painting into a vector device
/// (SVG, PDF) and the cell count is moderate, so that exported maps stay crisp at any zoom. On
/// screen, and for very large maps, it draws QCustomPlot's raster at cell resolution.
class CellColorMap : public QCPColorMap {
public:
    static constexpr int kMaxVectorCells = 80'000;
    CellColorMap(QCPAxis* keyAxis, QCPAxis* valueAxis);

protected:
    void draw(QCPPainter* painter) override;
};

} // namespace lorsa
