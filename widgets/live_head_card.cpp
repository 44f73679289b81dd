#include "widgets/live_head_card.h"

#include "widgets/data_writer.h"
#include "widgets/export_menu.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/token_layout.h"

#include <QContextMenuEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

constexpr double kEmptyHeight = 60;

AtlasContext promptContext(const PromptAnalysis& analysis, const HeadDetail& detail)
{
    AtlasContext context;
    context.text = analysis.promptText;
    for (const auto& token : analysis.tokens) {
        context.tokens.push_back(token.id);
        context.tokenTexts.push_back(token.text);
    }
    context.activations = detail.headActivation;
    context.activations.resize(context.tokens.size(), 0.0f);
    const auto query = std::clamp<int64_t>(detail.queryToken, 0, std::max<int64_t>(0, static_cast<int64_t>(context.tokens.size()) - 1));
    context.position = query;
    context.activation = context.tokens.empty() ? 0.0f : context.activations[static_cast<size_t>(query)];
    if (detail.zPattern.rows > query)
        for (int64_t key = 0; key <= query && key < detail.zPattern.cols; ++key)
            context.zPattern.push_back(detail.zPattern.at(query, key));
    return context;
}

} // namespace

HeadCardData liveHeadCardData(const PromptAnalysis& analysis, const HeadDetail& detail)
{
    const SessionConstants& session = *analysis.session;
    HeadCardData data;
    AtlasHead& head = data.head;
    head.head = detail.lorsaHead;
    head.qkHead = detail.qkHead;
    if (static_cast<size_t>(detail.qkHead) < session.qkHeadScores.size())
        head.scores = session.qkHeadScores[static_cast<size_t>(detail.qkHead)];
    // The first token (BOS, where there is one) is every head's sink: it is left out, as the atlas does.
    double sum = 0;
    int64_t positions = 0;
    for (size_t t = 1; t < detail.headActivation.size(); ++t, ++positions) {
        const float value = detail.headActivation[t];
        if (value == 0.0f)
            continue;
        ++head.activeCount;
        sum += value;
        head.max = std::max(head.max, double(value));
    }
    head.frequency = positions > 0 ? double(head.activeCount) / double(positions) : 0.0;
    head.meanActive = head.activeCount > 0 ? sum / double(head.activeCount) : 0.0;
    if (!detail.mhsaSimilarity.empty()) {
        const auto closest = std::min_element(detail.mhsaSimilarity.begin(), detail.mhsaSimilarity.end());
        head.similarMhsaHead = closest - detail.mhsaSimilarity.begin();
        head.similarMhsaDistance = *closest;
    }
    head.promoted = detail.promotedTokens;
    head.suppressed = detail.suppressedTokens;

    const AtlasContext context = promptContext(analysis, detail);
    const QString query = context.tokenTexts.empty() ? QString() : displayToken(context.tokenTexts[static_cast<size_t>(context.position)]);
    data.captions << QStringLiteral("This prompt: %1 at token %2 %3 (the selected query); under the keys, what each gave it")
                         .arg(double(context.activation), 0, 'g', 4).arg(context.position).arg(query);
    data.contexts.push_back(context);
    data.title = QStringLiteral("%1 (layer %2) \u00b7").arg(QString::fromStdString(session.lorsaName)).arg(session.layer);
    data.histogram = false;
    return data;
}

LiveHeadCard::LiveHeadCard(QWidget* parent) : QWidget(parent)
{
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
    setMinimumHeight(static_cast<int>(kEmptyHeight));
}

void LiveHeadCard::setResult(const ExplorerResultPtr& result)
{
    m_result = result;
    m_card.reset();
    if (result && result->analysis && result->detail && result->analysis->session->nOvHeads > 0)
        m_card = std::make_unique<HeadCardFigure>(liveHeadCardData(*result->analysis, *result->detail));
    updateGeometry();
    update();
}

int LiveHeadCard::heightForWidth(int width) const
{
    return static_cast<int>(std::ceil(figureHeight(width)));
}

double LiveHeadCard::figureHeight(double width) const
{
    return m_card ? m_card->figureHeight(width) : kEmptyHeight;
}

void LiveHeadCard::renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme)
{
    if (m_card) {
        m_card->renderFigure(painter, rect, theme);
        return;
    }
    painter.save();
    painter.fillRect(rect, theme.background);
    painter.setPen(theme.foreground);
    painter.drawText(rect, Qt::AlignCenter, tr("Select a Lorsa head to see its card"));
    painter.restore();
}

DataTable LiveHeadCard::figureData() const
{
    DataTable table = m_card ? m_card->figureData() : DataTable{};
    const QJsonObject card = table.meta;
    table.meta = provenance(m_result ? m_result->analysis.get() : nullptr, figureName());
    for (auto it = card.begin(); it != card.end(); ++it)
        if (!table.meta.contains(it.key()))  // the provenance's names win over the card's title
            table.meta.insert(it.key(), it.value());
    return table;
}

void LiveHeadCard::paintEvent(QPaintEvent*)
{
    QCPPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    renderFigure(painter, QRectF(rect()), Theme::fromPalette(palette()));
}

void LiveHeadCard::contextMenuEvent(QContextMenuEvent* event)
{
    showExportMenu(this, *this, event->globalPos());
}

} // namespace lorsa
