#include "widgets/head_card_figure.h"

#include "widgets/activation_histogram.h"
#include "widgets/colour_scale.h"
#include "widgets/context_strip.h"
#include "widgets/frequency_text.h"
#include "widgets/head_score_text.h"
#include "widgets/plot_style.h"
#include "widgets/token_layout.h"

#include <QFontMetricsF>
#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

constexpr double kTitleHeight = 34;
constexpr double kFactHeight = 15;    // one line of headCardFacts
constexpr double kLabelHeight = 16;   // "#rank activation  document start" above a strip
constexpr double kHistogramHeight = 170;

QFont cardFont(double points)
{
    QFont font;
    font.setPointSizeF(points);
    return font;
}

QString tokenList(const std::vector<TokenScore>& tokens)
{
    QStringList items;
    for (const auto& token : tokens)
        items << QStringLiteral("%1 %2").arg(displayToken(token.text)).arg(double(token.score), 0, 'f', 2);
    return items.join(QStringLiteral(" \u00b7 "));
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

QStringList headCardFacts(const AtlasHead& head)
{
    QStringList facts;
    QString qk = headScoreText(QStringLiteral("QK head %1").arg(head.qkHead), head.scores);
    if (head.similarMhsaHead >= 0)
        qk += QStringLiteral("; closest MHSA head %1 (JS distance %2)").arg(head.similarMhsaHead).arg(head.similarMhsaDistance, 0, 'f', 3);
    facts << qk;
    if (!head.promoted.empty())
        facts << QStringLiteral("Promotes: ") + tokenList(head.promoted);
    if (!head.suppressed.empty())
        facts << QStringLiteral("Suppresses: ") + tokenList(head.suppressed);
    return facts;
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

double HeadCardFigure::headerHeight() const
{
    return kTitleHeight + kFactHeight * headCardFacts(m_data.head).size() + 4;
}

double HeadCardFigure::figureHeight(double width) const
{
    double height = headerHeight() + (m_data.histogram ? kHistogramHeight : 0);
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
    QString title = QStringLiteral("%1 head %2 (QK head %3): active %4 of tokens, max %5, mean %6")
                        .arg(m_data.title)
                        .arg(head.head)
                        .arg(head.qkHead)
                        .arg(frequencyText(head.frequency))
                        .arg(head.max, 0, 'g', 4)
                        .arg(head.meanActive, 0, 'g', 4);
    if (!head.label.empty())
        title += QStringLiteral(" \u2014 ") + QString::fromStdString(head.label);
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), kTitleHeight), Qt::AlignLeft | Qt::AlignVCenter, title);
    double y = rect.top() + kTitleHeight;
    const QFont factFont = cardFont(7.5);
    painter.setFont(factFont);
    const QFontMetricsF metrics(factFont);
    for (const QString& fact : headCardFacts(head)) {
        painter.drawText(QRectF(rect.left(), y, rect.width(), kFactHeight), Qt::AlignLeft | Qt::AlignVCenter,
                         metrics.elidedText(fact, Qt::ElideRight, rect.width()));
        y += kFactHeight;
    }
    y = rect.top() + headerHeight();

    const auto scale = ColourScale::sequential(0, std::max(head.max, 1e-9));
    for (int i = 0; i < shownContexts(); ++i) {
        const auto& context = m_data.contexts[static_cast<size_t>(i)];
        const auto index = static_cast<qsizetype>(i);
        painter.setFont(cardFont(7.5));
        painter.setPen(theme.foreground);
        painter.drawText(QRectF(rect.left(), y, rect.width(), kLabelHeight), Qt::AlignLeft | Qt::AlignVCenter,
                         index < m_data.captions.size() ? m_data.captions[index] : contextCaption(context));
        y += kLabelHeight;
        const ContextStrip strip(context, cardFont(8), rect.width());
        strip.paint(painter, QPointF(rect.left(), y), scale, theme, true);
        y += strip.height();
    }

    if (!m_data.histogram) {
        painter.restore();
        return;
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
    // Tokens exactly as decoded (JSON keeps whitespace; CSV comment lines escape it).
    const auto scored = [](const std::vector<TokenScore>& tokens) {
        QJsonArray list;
        for (const auto& token : tokens)
            list.append(QJsonObject{{QStringLiteral("token"), QString::fromStdString(token.text)}, {QStringLiteral("logit"), double(token.score)}});
        return list;
    };
    table.meta.insert(QStringLiteral("promoted"), scored(m_data.head.promoted));
    table.meta.insert(QStringLiteral("suppressed"), scored(m_data.head.suppressed));
    return table;
}

} // namespace lorsa
