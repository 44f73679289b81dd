#include "widgets/colour_legend.h"

#include <QFontMetricsF>
#include <QLinearGradient>
#include <QPainter>

namespace lorsa {

void paintColourLegend(QPainter& painter, const QRectF& rect, const ColourScale& scale, const QString& caption, const Theme& theme)
{
    const QFontMetricsF metrics(painter.font());
    const double barHeight = std::max(6.0, rect.height() - metrics.height() - 3);
    const double barWidth = std::min(rect.width(), 220.0);
    const QRectF bar(rect.left(), rect.top(), barWidth, barHeight);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    constexpr int kStops = 32;
    for (int i = 0; i <= kStops; ++i) {
        const double t = static_cast<double>(i) / kStops;
        gradient.setColorAt(t, ColourScale::colourAtUnit(scale.kind(), t));
    }
    painter.save();
    painter.fillRect(bar, gradient);
    painter.setPen(QPen(theme.faint, 0));
    painter.drawRect(bar);
    painter.setPen(theme.foreground);
    const double textTop = bar.bottom() + 2;
    const QRectF textRow(bar.left(), textTop, barWidth, metrics.height());
    painter.drawText(textRow, Qt::AlignLeft | Qt::AlignTop, QString::number(scale.lower(), 'g', 3));
    painter.drawText(textRow, Qt::AlignRight | Qt::AlignTop, QString::number(scale.upper(), 'g', 3));
    if (scale.kind() == ColourScale::Kind::Diverging)
        painter.drawText(textRow, Qt::AlignHCenter | Qt::AlignTop, QStringLiteral("0"));
    const QRectF captionRect(bar.right() + 10, rect.top(), std::max(0.0, rect.right() - bar.right() - 10), rect.height());
    painter.drawText(captionRect, Qt::AlignLeft | Qt::AlignVCenter, metrics.elidedText(caption, Qt::ElideRight, captionRect.width()));
    painter.restore();
}

ColourLegend::ColourLegend(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ColourLegend::setScale(const ColourScale& scale, const QString& caption)
{
    m_scale = scale;
    m_caption = caption;
    update();
}

QSize ColourLegend::sizeHint() const
{
    return QSize(320, static_cast<int>(fontMetrics().height() * 2 + 8));
}

void ColourLegend::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const Theme theme = Theme::fromPalette(palette());
    painter.fillRect(rect(), theme.background);
    paintColourLegend(painter, QRectF(rect()).adjusted(6, 3, -6, -3), m_scale, m_caption, theme);
}

} // namespace lorsa
