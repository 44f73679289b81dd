#include "widgets/head_card_figure.h"

#include "widgets/activation_histogram.h"
#include "widgets/colour_scale.h"
#include "widgets/context_strip.h"
#include "widgets/plot_style.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

constexpr double kTitleHeight = 34;
constexpr double kLabelHeight = 16;   // "#rank activation  document start" above a strip
constexpr double kHistogramHeight = 170;

QFont cardFont(double points)
{
    QFont font;
    font.setPointSizeF(points);
    return font;
}


} // namespace

QString contextCaption(const AtlasContext& context)
{
    return QStringLiteral("#%1  %2  (document %3, start %4, peak at %5)")
        .arg(context.rank)
        .arg(double(context.activation), 0, 'g', 4)
        .arg(context.document)
        .arg(context.start)
        .arg(context.position);
}

HeadCardFigure::HeadCardFigure(HeadCardData data)
    : m_data(std::move(data))
{
}

int HeadCardFigure::shownContexts() const
{
    return static_cast<int>(std::min<size_t>(m_data.contexts.size(), kMaxContexts));
}

double HeadCardFigure::stripHeight(size_t index, double width) const
{
    return kLabelHeight + ContextStrip(m_data.contexts[index], cardFont(8), width).height();
}

double HeadCardFigure::figureHeight(double width) const
{
    double height = kTitleHeight + kHistogramHeight;
    for (int i = 0; i < shownContexts(); ++i)
        height += stripHeight(static_cast<size_t>(i), width);
    return height;
}

void HeadCardFigure::renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme)
{
    const auto& head = m_data.head;
    painter.save();
    painter.fillRect(rect, theme.background);
    painter.setPen(theme.foreground);
    painter.setFont(cardFont(10));
    QString title = QStringLiteral("%1 head %2 (QK head %3): active %4% of tokens, max %5, mean %6")
                        .arg(m_data.title)
                        .arg(head.head)
                        .arg(head.qkHead)
                        .arg(100.0 * head.frequency, 0, 'g', 3)
                        .arg(head.max, 0, 'g', 4)
                        .arg(head.meanActive, 0, 'g', 4);
    if (!head.label.empty())
        title += QStringLiteral(" \u2014 ") + QString::fromStdString(head.label);
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), kTitleHeight), Qt::AlignLeft | Qt::AlignVCenter, title);

    const auto scale = ColourScale::sequential(0, std::max(head.max, 1e-9));
    double y = rect.top() + kTitleHeight;
    for (int i = 0; i < shownContexts(); ++i) {
        const auto& context = m_data.contexts[static_cast<size_t>(i)];
        painter.setFont(cardFont(7.5));
        painter.setPen(theme.foreground);
        painter.drawText(QRectF(rect.left(), y, rect.width(), kLabelHeight), Qt::AlignLeft | Qt::AlignVCenter, contextCaption(context));
        y += kLabelHeight;
        const ContextStrip strip(context, cardFont(8), rect.width());
        strip.paint(painter, QPointF(rect.left(), y), scale, theme, true);
        y += strip.height();
    }

    QCustomPlot plot;
    plot.resize(static_cast<int>(rect.width()), static_cast<int>(kHistogramHeight));
    applyPlotTheme(&plot, theme);
    plotActivationHistogram(&plot, head, theme);
    painter.translate(rect.left(), y);
    plot.toPainter(&painter, static_cast<int>(rect.width()), static_cast<int>(kHistogramHeight));
    painter.restore();
}

DataTable HeadCardFigure::figureData() const
{
    DataTable table;
    table.columns = {QStringLiteral("rank"), QStringLiteral("document"), QStringLiteral("start"), QStringLiteral("position"),
                     QStringLiteral("token"), QStringLiteral("text"), QStringLiteral("activation"), QStringLiteral("z")};
    for (int i = 0; i < shownContexts(); ++i) {
        const auto& c = m_data.contexts[static_cast<size_t>(i)];
        for (size_t t = 0; t < c.tokens.size(); ++t)
            table.rows.append({QVariant::fromValue(c.rank), QVariant::fromValue(c.document), QVariant::fromValue(c.start),
                               QVariant::fromValue<qlonglong>(static_cast<qlonglong>(t)), QVariant::fromValue(c.tokens[t]),
                               QString::fromStdString(c.tokenTexts[t]), double(c.activations[t]),
                               t < c.zPattern.size() ? double(c.zPattern[t]) : std::nan("")});
    }
    table.meta.insert(QStringLiteral("head"), static_cast<qint64>(m_data.head.head));
    table.meta.insert(QStringLiteral("qk_head"), static_cast<qint64>(m_data.head.qkHead));
    table.meta.insert(QStringLiteral("lorsa"), m_data.title);
    table.meta.insert(QStringLiteral("label"), QString::fromStdString(m_data.head.label));
    return table;
}

} // namespace lorsa
