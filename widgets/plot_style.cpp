#include "widgets/plot_style.h"

#include "widgets/label_thinning.h"

#include <cmath>

namespace lorsa {

QCPColorGradient colourGradient(ColourScale::Kind kind)
{
    QMap<double, QColor> stops;
    constexpr int kStops = 32;
    for (int i = 0; i <= kStops; ++i) {
        const double t = static_cast<double>(i) / kStops;
        stops.insert(t, ColourScale::colourAtUnit(kind, t));
    }
    QCPColorGradient gradient;
    gradient.setColorStops(stops);
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setLevelCount(256);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    return gradient;
}

void applyPlotTheme(QCustomPlot* plot, const Theme& theme)
{
    plot->setBackground(theme.background);
    const QList<QCPAxisRect*> rects = plot->axisRects();
    for (QCPAxisRect* rect : rects) {
        rect->setBackground(theme.background);
        const QList<QCPAxis*> axes = rect->axes();
        for (QCPAxis* axis : axes) {
            axis->setBasePen(QPen(theme.foreground, 0));
            axis->setTickPen(QPen(theme.foreground, 0));
            axis->setSubTickPen(QPen(theme.foreground, 0));
            axis->setTickLabelColor(theme.foreground);
            axis->setLabelColor(theme.foreground);
            axis->grid()->setPen(QPen(theme.faint, 0, Qt::DotLine));
            axis->grid()->setZeroLinePen(QPen(theme.faint, 0));
        }
    }
    const QList<QCPLayoutElement*> elements = plot->plotLayout()->elements(true);
    for (QCPLayoutElement* element : elements) {
        if (auto* title = qobject_cast<QCPTextElement*>(element))
            title->setTextColor(theme.foreground);
        if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
            QCPAxis* axis = scale->axis();
            axis->setBasePen(QPen(theme.foreground, 0));
            axis->setTickPen(QPen(theme.foreground, 0));
            axis->setSubTickPen(QPen(theme.foreground, 0));
            axis->setTickLabelColor(theme.foreground);
            axis->setLabelColor(theme.foreground);
        }
    }
}

namespace {

/// Token texts at integer positions, spaced so that they never overlap at the axis' size.
class TokenTicker : public QCPAxisTicker {
public:
    TokenTicker(QCPAxis* axis, QStringList labels, double pixelsPerLabel)
        : m_axis(axis), m_labels(std::move(labels)), m_pixelsPerLabel(pixelsPerLabel)
    {
    }

protected:
    QVector<double> createTickVector(double, const QCPRange& range) override
    {
        const int count = static_cast<int>(m_labels.size());
        const int first = std::max(0, static_cast<int>(std::ceil(range.lower)));
        const int last = std::min(count - 1, static_cast<int>(std::floor(range.upper)));
        QVector<double> ticks;
        if (first > last)
            return ticks;
        // The axis rect's size from the last layout (before the first one: a moderate default).
        const QRect rect = m_axis->axisRect()->rect();
        const double pixels = m_axis->orientation() == Qt::Horizontal ? rect.width() : rect.height();
        const int step = pixels > 0 ? labelStep(range.size(), pixels, m_pixelsPerLabel) : std::max(1, (last - first + 24) / 24);
        for (int i : labelledTokens(first, last, step))
            ticks << i;
        return ticks;
    }
    QString getTickLabel(double tick, const QLocale&, QChar, int) override
    {
        const int i = static_cast<int>(std::lround(tick));
        if (i < 0 || i >= m_labels.size())
            return {};
        return tokenAxisLabel(m_labels[i]);
    }
    int getSubTickCount(double) override { return 0; }

private:
    QCPAxis* m_axis;
    QStringList m_labels;
    double m_pixelsPerLabel;
};

} // namespace

void setTokenTicks(QCPAxis* axis, const QStringList& labels)
{
    QFont font = axis->tickLabelFont();
    font.setPointSizeF(labels.size() > 40 ? 6.5 : 7.5);
    axis->setTickLabelFont(font);
    // One line of the label font apart, a little more along a horizontal axis, whose labels
    // are rotated.
    const double spacing = QFontMetricsF(font).height() * (axis->orientation() == Qt::Horizontal ? 1.25 : 1.05);
    axis->setTicker(QSharedPointer<QCPAxisTicker>(new TokenTicker(axis, labels, spacing)));
    axis->setSubTicks(false);
}

CellColorMap::CellColorMap(QCPAxis* keyAxis, QCPAxis* valueAxis) : QCPColorMap(keyAxis, valueAxis) {}

void CellColorMap::draw(QCPPainter* painter)
{
    QCPColorMapData* map = data();
    const int keys = map->keySize();
    const int values = map->valueSize();
    if (!painter->modes().testFlag(QCPPainter::pmVectorized) || static_cast<qint64>(keys) * values > 4 * kMaxVectorCells) {
        QCPColorMap::draw(painter);
        return;
    }
    int finite = 0;
    for (int k = 0; k < keys; ++k)
        for (int v = 0; v < values; ++v)
            finite += std::isnan(map->cell(k, v)) ? 0 : 1;
    if (finite > kMaxVectorCells) {
        QCPColorMap::draw(painter);
        return;
    }
    // Cells sit at integer coordinates (cell-exact axes), each one unit wide. Rectangles are
    // widened by a hair so that viewers do not show seams between neighbours.
    const QCPRange keyRange = map->keyRange();
    const QCPRange valueRange = map->valueRange();
    const double keyStep = keys > 1 ? (keyRange.upper - keyRange.lower) / (keys - 1) : 1;
    const double valueStep = values > 1 ? (valueRange.upper - valueRange.lower) / (values - 1) : 1;
    painter->setPen(Qt::NoPen);
    painter->setAntialiasing(false);
    for (int v = 0; v < values; ++v) {
        const double value = valueRange.lower + v * valueStep;
        const double y0 = valueAxis()->coordToPixel(value - valueStep / 2);
        const double y1 = valueAxis()->coordToPixel(value + valueStep / 2);
        for (int k = 0; k < keys; ++k) {
            const double z = map->cell(k, v);
            if (std::isnan(z))
                continue;
            const double key = keyRange.lower + k * keyStep;
            const double x0 = keyAxis()->coordToPixel(key - keyStep / 2);
            const double x1 = keyAxis()->coordToPixel(key + keyStep / 2);
            const QRectF cell = QRectF(QPointF(x0, y0), QPointF(x1, y1)).normalized().adjusted(0, 0, 0.25, 0.25);
            painter->fillRect(cell, gradient().color(z, dataRange(), dataScaleType() == QCPAxis::stLogarithmic));
        }
    }
}

} // namespace lorsa
