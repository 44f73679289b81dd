#pragma once
// Private to widgets/ (includes QCustomPlot). Zoom and pan shared by the token x token maps of one
// plot: the wheel and a drag on any map move all of them alike, never beyond the tokens, and a
// double-click resets them. A click (press and release without a drag) on a cell is reported as
// that cell's query and key.

#include "widgets/qcustomplot_include.h"

#include <QObject>

#include <functional>
#include <optional>
#include <vector>

namespace lorsa {

/// A cell of a query x key map.
struct MapCell {
    int map = 0;  ///< index of the axis rect
    int query = 0;
    int key = 0;
};

class MapNavigation : public QObject {
public:
    /// \p rects: key on the bottom axis, query on the left one, both in token coordinates.
    MapNavigation(QCustomPlot* plot, std::vector<QCPAxisRect*> rects);

    /// The maps show \p tokens tokens; resets the zoom.
    void setTokens(int tokens);
    /// Every token in view.
    void reset();
    /// The cell under \p pos (plot pixels), if it is on a map.
    std::optional<MapCell> cellAt(const QPointF& pos) const;

    std::function<void(const MapCell&)> onClick;

private:
    void follow(Qt::Orientation orientation, const QCPRange& range);

    QCustomPlot* m_plot;
    std::vector<QCPAxisRect*> m_rects;
    int m_tokens = 0;
    QPoint m_pressed{-1000, -1000};
};

} // namespace lorsa
