#pragma once
// What a view offers to figure and data export. Every view implements it, so that the same
// figures can be written from the window's context menu and headless (a `lorsa figure` command)
// without showing a window.

#include "widgets/figure_style.h"
#include "widgets/theme.h"

#include <QJsonObject>
#include <QList>
#include <QRectF>
#include <QStringList>
#include <QVariant>

class QCPPainter;

namespace lorsa {

/// Tabular data behind a figure: one row per cell/bar/token, plus the provenance fields
/// (model, Lorsa checkpoint, layer, selection) in `meta`.
struct DataTable {
    QStringList columns;
    QList<QVariantList> rows;  ///< each row has columns.size() entries; doubles may be NaN
    QJsonObject meta;
};

class FigureSource {
public:
    virtual ~FigureSource() = default;
    /// Height in logical pixels (96 per inch) that a figure \p width logical pixels wide needs.
    virtual double figureHeight(double width) const = 0;
    /// Paints the figure into \p rect (logical pixels) with \p theme. The painter is a QCPPainter
    /// so that QCustomPlot views can draw themselves into it.
    virtual void renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme) = 0;
    /// The data shown, for CSV/JSON export.
    virtual DataTable figureData() const = 0;
    /// A short name used in default file names and in the data's meta ("pattern-map").
    virtual QString figureName() const = 0;

    /// Figures that honour FigureStyle override these three; the export draws through them, so
    /// the others need not know about it.
    virtual bool takesFigureStyle() const { return false; }
    virtual double styledFigureHeight(double width, const FigureStyle&) const { return figureHeight(width); }
    virtual void renderStyledFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme, const FigureStyle&)
    {
        renderFigure(painter, rect, theme);
    }
};

} // namespace lorsa
