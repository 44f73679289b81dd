#include "widgets/head_card_figure.h"

#include "widgets/colour_scale.h"
#include "widgets/plot_style.h"
#include "widgets/token_layout.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

constexpr double kTitleHeight = 34;
constexpr double kLabelHeight = 16;   // "#rank activation  document start" above a strip
constexpr double kZBarHeight = 4;     // the z-pattern band under each key token
constexpr double kHistogramHeight = 170;

QFont cardFont(double points)
{
    QFont font;
    font.setPointSizeF(points);
    return font;
}

QVector<QString> displayTexts(const AtlasContext& context)
{
    QVector<QString> texts;
    for (const auto& text : context.tokenTexts)
        texts.append(displayToken(text));
    return texts;
}

} // namespace

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
    // The z band sits in the gap under each line of boxes, so the layout's height suffices.
    return kLabelHeight + TokenLayout(displayTexts(m_data.contexts[index]), cardFont(8), width).height() + kZBarHeight;
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
        painter.drawText(QRectF(rect.left(), y, rect.width(), kLabelHeight), Qt::AlignLeft | Qt::AlignVCenter,
                         QStringLiteral("#%1  %2  (document %3, start %4, peak at %5)")
                             .arg(context.rank)
                             .arg(double(context.activation), 0, 'g', 4)
                             .arg(context.document)
                             .arg(context.start)
                             .arg(context.position));
        y += kLabelHeight;
        const TokenLayout layout(displayTexts(context), cardFont(8), rect.width());
        double zMax = 0;
        for (const float z : context.zPattern)
            zMax = std::max(zMax, std::abs(double(z)));
        const auto zScale = ColourScale::diverging(std::max(zMax, 1e-9));
        painter.setFont(cardFont(8));
        for (int t = 0; t < layout.tokenCount(); ++t) {
            const QRectF box = layout.box(t).translated(rect.left(), y);
            const double activation = t < static_cast<int>(context.activations.size()) ? context.activations[static_cast<size_t>(t)] : 0.0;
            const QColor fill = activation > 0 ? scale.colourAt(activation) : theme.background;
            painter.fillRect(box, fill);
            painter.setPen(ColourScale::lightness(fill) < 55 ? QColor(Qt::white) : QColor(Qt::black));
            painter.drawText(box, Qt::AlignCenter, displayTexts(context)[t]);
            if (t < static_cast<int>(context.zPattern.size()) && context.zPattern[static_cast<size_t>(t)] != 0)
                painter.fillRect(QRectF(box.left(), box.bottom() + 0.5, box.width(), kZBarHeight - 1),
                                 zScale.colourAt(context.zPattern[static_cast<size_t>(t)]));
            if (t == context.position) {
                painter.setPen(QPen(theme.highlight, 2));
                painter.drawRect(box);
            }
        }
        y += layout.height() + kZBarHeight;
    }

    // The histogram: bins of |activation| on a log axis, counts log-scaled.
    QCustomPlot plot;
    plot.resize(static_cast<int>(rect.width()), static_cast<int>(kHistogramHeight));
    applyPlotTheme(&plot, theme);
    auto* bars = new QCPBars(plot.xAxis, plot.yAxis);
    bars->setBrush(theme.line);
    bars->setPen(Qt::NoPen);
    QVector<double> keys, values;
    double lowest = INFINITY, highest = 0;
    for (size_t b = 0; b < head.histogramCounts.size() && b + 1 < head.histogramEdges.size(); ++b) {
        if (head.histogramCounts[b] == 0)
            continue;
        keys.append(std::sqrt(head.histogramEdges[b] * head.histogramEdges[b + 1]));
        values.append(double(head.histogramCounts[b]));
        lowest = std::min(lowest, head.histogramEdges[b]);
        highest = std::max(highest, head.histogramEdges[b + 1]);
    }
    bars->setData(keys, values);
    if (!keys.isEmpty()) {
        // A bin spans a fixed ratio of edges: as a fraction of the log axis, 80% of it.
        const double ratio = std::sqrt(head.histogramEdges[1] / head.histogramEdges[0]);
        bars->setWidthType(QCPBars::wtAxisRectRatio);
        bars->setWidth(0.8 * std::log(ratio * ratio) / std::log(highest / lowest));
    }
    plot.xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot.xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot.yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot.yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot.xAxis->setLabel(QStringLiteral("|activation| (log-spaced bins)"));
    plot.yAxis->setLabel(QStringLiteral("count"));
    double maxCount = 1;
    for (const double v : values)
        maxCount = std::max(maxCount, v);
    plot.xAxis->setRange(keys.isEmpty() ? 1e-3 : lowest, keys.isEmpty() ? 1e1 : highest);
    plot.yAxis->setRange(0.5, maxCount * 2);
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
