#include "widgets/map_navigation.h"

#include <QApplication>

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

/// Fewest tokens a zoomed map shows along an axis.
constexpr double kMinSpan = 3;

QCPAxis* axisOf(QCPAxisRect* rect, Qt::Orientation orientation)
{
    return rect->axis(orientation == Qt::Horizontal ? QCPAxis::atBottom : QCPAxis::atLeft);
}

} // namespace

MapNavigation::MapNavigation(QCustomPlot* plot, std::vector<QCPAxisRect*> rects) : QObject(plot), m_plot(plot), m_rects(std::move(rects))
{
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    for (QCPAxisRect* rect : m_rects) {
        rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
        rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
        for (Qt::Orientation orientation : {Qt::Horizontal, Qt::Vertical})
            connect(axisOf(rect, orientation), qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
                    [this, orientation](const QCPRange& range) { follow(orientation, range); });
    }
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { reset(); });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) { m_pressed = event->position().toPoint(); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* event) {
        const bool dragged = (event->position().toPoint() - m_pressed).manhattanLength() >= QApplication::startDragDistance();
        if (event->button() != Qt::LeftButton || dragged || !onClick)
            return;
        if (const auto cell = cellAt(event->position()))
            onClick(*cell);
    });
}

void MapNavigation::setTokens(int tokens)
{
    m_tokens = tokens;
    reset();
}

void MapNavigation::reset()
{
    for (QCPAxisRect* rect : m_rects)
        for (Qt::Orientation orientation : {Qt::Horizontal, Qt::Vertical})
            axisOf(rect, orientation)->setRange(-0.5, m_tokens - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

std::optional<MapCell> MapNavigation::cellAt(const QPointF& pos) const
{
    for (size_t i = 0; i < m_rects.size(); ++i) {
        QCPAxisRect* rect = m_rects[i];
        if (!rect->visible() || !rect->rect().contains(pos.toPoint()))
            continue;
        const int key = static_cast<int>(std::lround(rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x())));
        const int query = static_cast<int>(std::lround(rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
        if (key < 0 || query < 0 || key >= m_tokens || query >= m_tokens)
            return std::nullopt;
        return MapCell{static_cast<int>(i), query, key};
    }
    return std::nullopt;
}

void MapNavigation::follow(Qt::Orientation orientation, const QCPRange& range)
{
    if (m_tokens <= 0)
        return;
    // Within the tokens, no closer than kMinSpan tokens; setRange of an unchanged range emits
    // nothing, so following one another ends.
    const QCPRange full(-0.5, m_tokens - 0.5);
    const double span = std::clamp(range.size(), std::min(kMinSpan, full.size()), full.size());
    const double lower = std::clamp(range.center() - span / 2, full.lower, full.upper - span);
    const QCPRange bounded(lower, lower + span);
    for (QCPAxisRect* rect : m_rects)
        axisOf(rect, orientation)->setRange(bounded);
}

} // namespace lorsa
