#pragma once
// The QK attention maps as a figure for a paper: Lorsa, MHSA and their difference side by side
// (the MHSA map alone without a Lorsa) as square-celled query x key maps, token labels thinned so
// that they never overlap, colour bars under the maps. Painted with QPainter alone (no
// QCustomPlot) so that the geometry is exact, text stays text in SVG and PDF (one named font)
// and maps of up to kMaxVectorTokens tokens are vector rectangles; larger maps are one image
// each, at cell resolution.

#include "widgets/colour_transform.h"
#include "widgets/figure_style.h"
#include "widgets/pattern_map.h"
#include "widgets/theme.h"

#include <QFont>
#include <QRectF>
#include <QStringList>

#include <array>
#include <vector>

class QPainter;

namespace lorsa {

inline constexpr int kMaxVectorTokens = 64;
inline constexpr double kDefaultFigureFontPt = 7;

/// Free, on every Linux desktop, and it has the glyphs displayToken substitutes for whitespace.
QFont figureFont(double pointSize);

/// What the figure shows.
struct PatternFigure {
    QStringList tokens;              // (T) display texts
    std::array<CellGrid, 3> grids;   // Lorsa, MHSA, Lorsa - MHSA, each of T tokens
    std::array<QString, 3> titles;
    ColourTransform transform = ColourTransform::Linear;  ///< of the two attention maps
    bool mhsaOnly = false;           ///< no Lorsa: only the MHSA map (grids[1]) is drawn
};

/// The maps drawn, left to right (0 Lorsa, 1 MHSA, 2 difference): the MHSA map alone without a
/// Lorsa. The figure and the window's view both follow it.
std::vector<int> shownMaps(bool mhsaOnly);

/// Where everything goes, in the coordinates of the rectangle laid out.
struct PatternFigureLayout {
    double naturalHeight = 0;       ///< the height this width needs
    std::array<QRectF, 3> maps;     ///< square; empty for a map not shown
    std::array<QRectF, 3> titles;   ///< empty without titles
    struct Bar {
        QRectF rect;
        int map = 0;      ///< the map whose colours it shows (0 also stands for map 1 when shared)
        bool shared = false;
    };
    std::vector<Bar> bars;          ///< attention bar(s), then the difference's
    int keyStep = 1;                ///< every keyStep-th key is labelled (labelStep)
    int queryStep = 1;
    double keyLabelSpacing = 0;     ///< pixels a key label needs along the axis
    double queryLabelSpacing = 0;
    QFont labelFont;
    QFont titleFont;
};

/// Lays \p figure out in \p rect (height 0: as tall as needed; a smaller height makes the maps
/// smaller, a larger one centres them), in logical pixels of 96 per inch.
PatternFigureLayout layoutPatternFigure(const PatternFigure& figure, const QRectF& rect, const FigureStyle& style);

/// The colour range [lower, upper] of attention map \p map (0: \p lorsa, 1: \p mhsa) under \p style.
std::pair<double, double> attentionRange(const CellGrid& lorsa, const CellGrid& mhsa, int map, const FigureStyle& style);
/// The caption of the attention colour bar, naming a non-linear transform.
QString attentionCaption(ColourTransform transform);

void paintPatternFigure(QPainter& painter, const QRectF& rect, const PatternFigure& figure, const FigureStyle& style, const Theme& theme);

} // namespace lorsa
