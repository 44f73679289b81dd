#include "widgets/token_heatmap_view.h"

#include "widgets/colour_legend.h"
#include "widgets/data_writer.h"
#include "widgets/empty_state.h"
#include "widgets/export_menu.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/selection_model.h"

#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>

#include <cmath>
#include <algorithm>
#include <limits>

namespace lorsa {
namespace {

constexpr double kLegendHeight = 34;

// The on-screen font of token boxes; figures use the same point size.
QFont tokenFont(const QFont& base)
{
    QFont font = base;
    font.setPointSizeF(9);
    return font;
}

} // namespace

TokenHeatmapView::TokenHeatmapView(SelectionModel* selection, QWidget* parent)
    : QAbstractScrollArea(parent), m_selection(selection), m_legend(new ColourLegend(this))
{
    setViewportMargins(0, static_cast<int>(kLegendHeight), 0, 0);
    viewport()->setMouseTracking(true);
    viewport()->setAutoFillBackground(false);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    verticalScrollBar()->setSingleStep(20);
    if (m_selection)
        connect(m_selection, &SelectionModel::changed, this, [this] { recompute(); });
    recompute();
}

void TokenHeatmapView::setResult(const ExplorerResultPtr& result)
{
    const auto analysis = result ? result->analysis : nullptr;
    m_detail = result ? result->detail : nullptr;
    if (analysis != m_analysis || !analysis) {
        m_analysis = analysis;
        m_texts.clear();
        if (m_analysis) {
            m_texts.reserve(static_cast<qsizetype>(m_analysis->tokens.size()));
            for (const TokenInfo& token : m_analysis->tokens)
                m_texts.append(displayToken(token.text));
        }
        m_layoutWidth = -1;
    }
    recompute();
}

HeatmapQuantity TokenHeatmapView::shownQuantity() const
{
    // Without a Lorsa the model's own attention is all there is to colour by.
    if (withoutLorsa(m_analysis.get()))
        return HeatmapQuantity::MhsaAttention;
    return m_selection ? m_selection->quantity() : HeatmapQuantity::HeadActivation;
}

std::optional<int> TokenHeatmapView::constantActiveCount() const
{
    // Token 0 (BOS with most Lorsas) is left out: a sink may keep fewer heads there.
    const auto& counts = m_analysis ? m_analysis->activeCount : std::vector<float>{};
    if (counts.size() < 3 || std::any_of(counts.begin() + 2, counts.end(), [&](float c) { return c != counts[1]; }))
        return std::nullopt;
    return static_cast<int>(counts[1]);
}

QString TokenHeatmapView::quantityCaption() const
{
    const int head = m_selection ? m_selection->lorsaHead() : 0;
    const int query = m_selection ? m_selection->queryToken() : 0;
    switch (shownQuantity()) {
    case HeatmapQuantity::HeadActivation:
        return tr("Activation of Lorsa head %1").arg(head);
    case HeatmapQuantity::ActiveHeadCount:
        if (const auto k = constantActiveCount())
            return tr("Reconstruction error per token (every token has %1 active heads: top-k)").arg(*k);
        return tr("Active Lorsa heads per token");
    case HeatmapQuantity::LorsaAttention:
        return tr("Lorsa attention of QK head %1 from token %2").arg(m_detail ? m_detail->qkHead : 0).arg(query);
    case HeatmapQuantity::MhsaAttention:
        return tr("MHSA head %1 (layer %2) attention from token %3")
            .arg(m_detail ? m_detail->mhsaHead : 0)
            .arg(m_analysis && m_analysis->session ? m_analysis->session->layer : 0)
            .arg(query);
    }
    return {};
}

void TokenHeatmapView::recompute()
{
    const size_t n = m_analysis ? m_analysis->tokens.size() : 0;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    m_values.assign(n, nan);
    const HeatmapQuantity quantity = shownQuantity();
    const int head = m_selection ? m_selection->lorsaHead() : 0;
    const int64_t query = m_selection ? m_selection->queryToken() : 0;
    if (n > 0) {
        switch (quantity) {
        case HeatmapQuantity::HeadActivation:
            if (m_detail && m_detail->lorsaHead == head && m_detail->headActivation.size() == n) {
                for (size_t t = 0; t < n; ++t)
                    m_values[t] = m_detail->headActivation[t];
            } else if (m_analysis->active.size() == n) {
                for (size_t t = 0; t < n; ++t) {
                    m_values[t] = 0;
                    for (const HeadActivation& a : m_analysis->active[t])
                        if (a.head == head)
                            m_values[t] = a.activation;
                }
            }
            break;
        case HeatmapQuantity::ActiveHeadCount:
            // A top-k Lorsa has the same L0 everywhere: its error per token says more.
            if (constantActiveCount() && m_analysis->fidelity.errorPerToken.size() == n) {
                for (size_t t = 0; t < n; ++t)
                    m_values[t] = m_analysis->fidelity.errorPerToken[t];
                break;
            }
            for (size_t t = 0; t < n; ++t) {
                if (m_analysis->activeCount.size() == n)
                    m_values[t] = m_analysis->activeCount[t];
                else if (m_analysis->active.size() == n)
                    m_values[t] = static_cast<double>(m_analysis->active[t].size());
            }
            break;
        case HeatmapQuantity::LorsaAttention:
        case HeatmapQuantity::MhsaAttention: {
            if (!m_detail)
                break;
            const FloatMatrix& pattern = quantity == HeatmapQuantity::LorsaAttention ? m_detail->lorsaPattern : m_detail->mhsaPattern;
            if (static_cast<size_t>(pattern.rows) != n || static_cast<size_t>(pattern.cols) != n || pattern.values.size() != n * n
                || query < 0 || static_cast<size_t>(query) >= n)
                break;
            for (size_t k = 0; k <= static_cast<size_t>(query); ++k)
                m_values[k] = pattern.at(query, static_cast<int64_t>(k));
            break;
        }
        }
    }
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (double v : m_values) {
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        } else {
            v = nan;
        }
    }
    for (double& v : m_values)
        if (!std::isfinite(v))
            v = nan;
    if (!(lo <= hi))
        m_scale = ColourScale::sequential(0, 1);
    else if (lo < 0)
        m_scale = ColourScale::diverging(std::max(-lo, hi));
    else
        m_scale = ColourScale::sequential(0, hi);
    m_legend->setScale(m_scale, quantityCaption());
    viewport()->update();
}

const TokenLayout& TokenHeatmapView::tokenLayout()
{
    relayout();
    return m_layout;
}

void TokenHeatmapView::relayout()
{
    const int width = viewport()->width();
    if (width == m_layoutWidth)
        return;
    m_layout = TokenLayout(m_texts, tokenFont(font()), width);
    m_layoutWidth = width;
    verticalScrollBar()->setRange(0, std::max(0, static_cast<int>(std::ceil(m_layout.height())) - viewport()->height()));
    verticalScrollBar()->setPageStep(viewport()->height());
}

int TokenHeatmapView::tokenAtViewport(const QPoint& viewportPos)
{
    relayout();
    return m_layout.tokenAt(QPointF(viewportPos) + QPointF(0, verticalScrollBar()->value()));
}

void TokenHeatmapView::paintLines(QPainter& painter, const TokenLayout& layout, int firstLine, int endLine, const Theme& theme) const
{
    const int selected = m_selection ? m_selection->queryToken() : -1;
    const QFontMetricsF metrics(painter.font());
    for (int line = firstLine; line < endLine; ++line) {
        for (int t = layout.lineFirst(line); t < layout.lineEnd(line); ++t) {
            const QRectF box = layout.box(t);
            const double value = m_values[static_cast<size_t>(t)];
            const bool defined = !std::isnan(value);
            const QColor fill = defined ? m_scale.colourAt(value) : theme.background;
            painter.setPen(Qt::NoPen);
            painter.setBrush(fill);
            painter.drawRoundedRect(box, 2, 2);
            if (!defined) {
                painter.setPen(QPen(theme.faint, 0, Qt::DotLine));
                painter.setBrush(Qt::NoBrush);
                painter.drawRoundedRect(box, 2, 2);
            }
            const bool darkFill = defined ? ColourScale::lightness(fill) < 55 : theme.isDark();
            const QColor ink = darkFill ? QColor(Qt::white) : QColor(0x10, 0x10, 0x10);
            const QColor quiet = darkFill ? QColor(255, 255, 255, 130) : QColor(0, 0, 0, 110);
            // Text by runs so that whitespace glyphs are painted quietly.
            const QString& text = m_texts[t];
            const QString shown = metrics.elidedText(text, Qt::ElideRight, box.width() - 2 * TokenLayout::kPaddingX + 0.5);
            double x = box.left() + TokenLayout::kPaddingX;
            const double baseline = box.top() + TokenLayout::kPaddingY + metrics.ascent();
            qsizetype start = 0;
            while (start < shown.size()) {
                const bool quietRun = isWhitespaceGlyph(shown[start]);
                qsizetype end = start + 1;
                while (end < shown.size() && isWhitespaceGlyph(shown[end]) == quietRun)
                    ++end;
                const QString run = shown.mid(start, end - start);
                painter.setPen(quietRun ? quiet : ink);
                painter.drawText(QPointF(x, baseline), run);
                x += metrics.horizontalAdvance(run);
                start = end;
            }
            if (t == selected) {
                painter.setPen(QPen(theme.highlight, 2));
                painter.setBrush(Qt::NoBrush);
                painter.drawRoundedRect(box.adjusted(-1, -1, 1, 1), 3, 3);
            }
        }
    }
}

void TokenHeatmapView::paintEvent(QPaintEvent*)
{
    relayout();
    QPainter painter(viewport());
    const Theme theme = Theme::fromPalette(palette());
    painter.fillRect(viewport()->rect(), theme.background);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setFont(tokenFont(font()));
    const int scroll = verticalScrollBar()->value();
    painter.translate(0, -scroll);
    const auto [first, end] = m_layout.linesIn(scroll, scroll + viewport()->height());
    paintLines(painter, m_layout, first, end, theme);
}

void TokenHeatmapView::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    m_legend->setGeometry(0, 0, width(), static_cast<int>(kLegendHeight));
    relayout();
}

QString TokenHeatmapView::tooltipFor(int token) const
{
    const TokenInfo& info = m_analysis->tokens[static_cast<size_t>(token)];
    const double value = m_values[static_cast<size_t>(token)];
    const QString text = QString::fromUtf8(info.text.data(), static_cast<qsizetype>(info.text.size())).toHtmlEscaped();
    return tr("<b>#%1</b> id %2<br><code>%3</code> (%4)<br>%5: %6").arg(token).arg(info.id)
        .arg(displayToken(info.text).toHtmlEscaped(), text.isEmpty() ? tr("empty") : tr("%n char(s)", nullptr, static_cast<int>(text.size())),
             quantityCaption(), std::isnan(value) ? tr("— (after the query)") : QString::number(value, 'g', 7));
}

bool TokenHeatmapView::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int token = tokenAtViewport(help->pos());
        if (token >= 0)
            QToolTip::showText(help->globalPos(), tooltipFor(token), viewport());
        else
            QToolTip::hideText();
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void TokenHeatmapView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && m_selection) {
        // QAbstractScrollArea forwards the viewport's mouse events in viewport coordinates.
        const int token = tokenAtViewport(event->position().toPoint());
        if (token >= 0)
            m_selection->setQueryToken(token);
    }
    QAbstractScrollArea::mousePressEvent(event);
}

void TokenHeatmapView::contextMenuEvent(QContextMenuEvent* event)
{
    showExportMenu(this, *this, event->globalPos());
}

void TokenHeatmapView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
        m_layoutWidth = -1;
        viewport()->update();
        m_legend->update();
    }
    QAbstractScrollArea::changeEvent(event);
}

double TokenHeatmapView::figureHeight(double width) const
{
    return kLegendHeight + TokenLayout(m_texts, tokenFont(QFont()), width).height();
}

void TokenHeatmapView::renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme)
{
    painter.save();
    painter.translate(rect.topLeft());
    QFont legendFont = QFont();
    legendFont.setPointSizeF(8);
    painter.setFont(legendFont);
    paintColourLegend(painter, QRectF(TokenLayout::kMargin, 3, rect.width() - 2 * TokenLayout::kMargin, kLegendHeight - 6), m_scale, quantityCaption(), theme);
    painter.translate(0, kLegendHeight);
    painter.setFont(tokenFont(QFont()));
    const TokenLayout layout(m_texts, painter.font(), rect.width());
    paintLines(painter, layout, 0, layout.lineCount(), theme);
    painter.restore();
}

DataTable TokenHeatmapView::figureData() const
{
    DataTable table;
    table.columns = {QStringLiteral("position"), QStringLiteral("token_id"), QStringLiteral("token"), QStringLiteral("value")};
    if (m_analysis) {
        for (size_t t = 0; t < m_analysis->tokens.size(); ++t) {
            const TokenInfo& info = m_analysis->tokens[t];
            table.rows.append({static_cast<qlonglong>(t), static_cast<qlonglong>(info.id),
                QString::fromUtf8(info.text.data(), static_cast<qsizetype>(info.text.size())), m_values[t]});
        }
    }
    table.meta = provenance(m_analysis.get(), figureName());
    table.meta[QStringLiteral("quantity")] = quantityCaption();
    table.meta[QStringLiteral("lorsa_head")] = m_selection ? m_selection->lorsaHead() : 0;
    table.meta[QStringLiteral("query_token")] = m_selection ? m_selection->queryToken() : 0;
    return table;
}

} // namespace lorsa
