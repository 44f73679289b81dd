#include "widgets/context_strip.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

QVector<QString> displayTexts(const AtlasContext& context)
{
    QVector<QString> texts;
    texts.reserve(static_cast<int>(context.tokenTexts.size()));
    for (const auto& text : context.tokenTexts)
        texts.append(displayToken(text));
    return texts;
}

} // namespace

ContextStrip::ContextStrip(const AtlasContext& context, const QFont& font, double width)
    : m_context(context)
    , m_font(font)
    , m_texts(displayTexts(context))
    , m_layout(m_texts, font, width)
{
}

ColourScale ContextStrip::zScale() const
{
    double zMax = 0;
    for (const float z : m_context.zPattern)
        zMax = std::max(zMax, std::abs(double(z)));
    return ColourScale::diverging(std::max(zMax, 1e-9));
}

void ContextStrip::paintToken(QPainter& painter, const QRectF& box, int t, const QColor& fill, const Theme& theme) const
{
    if (fill.isValid()) {
        painter.fillRect(box, fill);
        painter.setPen(ColourScale::lightness(fill) < 55 ? QColor(Qt::white) : QColor(Qt::black));
    } else {
        painter.setPen(theme.foreground);
    }
    painter.drawText(box, Qt::AlignCenter, m_texts[t]);
    if (t == m_context.position) {
        painter.setPen(QPen(theme.highlight, 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(box);
    }
}

void ContextStrip::paint(QPainter& painter, const QPointF& origin, const ColourScale& activationScale, const Theme& theme, bool showZ) const
{
    const auto z = zScale();
    painter.save();
    painter.setFont(m_font);
    const auto& activations = m_context.activations;
    const auto& zPattern = m_context.zPattern;
    for (int t = 0; t < m_layout.tokenCount(); ++t) {
        const QRectF box = m_layout.box(t).translated(origin);
        const auto index = static_cast<size_t>(t);
        const double activation = index < activations.size() ? activations[index] : 0.0;
        paintToken(painter, box, t, activation > 0 ? activationScale.colourAt(activation) : QColor(), theme);
        if (showZ && index < zPattern.size() && zPattern[index] != 0)
            painter.fillRect(QRectF(box.left(), box.bottom() + 0.5, box.width(), kZBandHeight - 1), z.colourAt(zPattern[index]));
    }
    painter.restore();
}

void ContextStrip::paintZPattern(QPainter& painter, const QPointF& origin, const Theme& theme) const
{
    const auto z = zScale();
    painter.save();
    painter.setFont(m_font);
    const auto& zPattern = m_context.zPattern;
    for (int t = 0; t < m_layout.tokenCount(); ++t) {
        const auto index = static_cast<size_t>(t);
        painter.setOpacity(t > m_context.position ? 0.35 : 1.0);
        paintToken(painter, m_layout.box(t).translated(origin), t, index < zPattern.size() ? z.colourAt(zPattern[index]) : QColor(), theme);
    }
    painter.restore();
}

} // namespace lorsa
