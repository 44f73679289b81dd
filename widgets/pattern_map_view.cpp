#include "widgets/pattern_map_view.h"

#include "model/core/error.h"
#include "widgets/data_writer.h"
#include "widgets/export_menu.h"
#include "widgets/head_score_text.h"
#include "widgets/grid_reducer.h"
#include "widgets/pattern_map.h"
#include "widgets/plot_style.h"
#include "widgets/selection_model.h"
#include "widgets/token_layout.h"

#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QListWidget>
#include <QToolTip>

#include <array>
#include <cmath>
#include <numeric>

namespace lorsa {

// The QCustomPlot objects, kept out of the header so that includers never see QCustomPlot.
struct PatternMapView::Plot {
    QCustomPlot* plot = nullptr;
    std::array<QCPAxisRect*, 3> rects{};
    std::array<CellColorMap*, 3> maps{};
    std::array<QCPTextElement*, 3> titles{};
    QCPColorScale* patternScale = nullptr;
    QCPColorScale* differenceScale = nullptr;
    std::array<QCPItemStraightLine*, 6> crosshair{};
    int64_t shownTokens = 0;  // of the maps as last filled (0 when they could not be)
    GridReducer* reducer = nullptr;
};

PatternMapView::PatternMapView(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_plot(std::make_unique<Plot>()), m_ranking(new QListWidget(this))
{
    Plot& p = *m_plot;
    p.reducer = new GridReducer(this);
    p.plot = new QCustomPlot(this);
    p.plot->plotLayout()->clear();
    p.plot->setMouseTracking(true);
    p.patternScale = new QCPColorScale(p.plot);
    p.differenceScale = new QCPColorScale(p.plot);
    for (QCPColorScale* scale : {p.patternScale, p.differenceScale}) {
        scale->setType(QCPAxis::atRight);
        scale->setBarWidth(10);
    }
    p.patternScale->setGradient(colourGradient(ColourScale::Kind::Sequential));
    p.patternScale->axis()->setLabel(tr("attention"));
    p.differenceScale->setGradient(colourGradient(ColourScale::Kind::Diverging));
    p.differenceScale->axis()->setLabel(tr("Lorsa − MHSA"));
    // Columns: Lorsa | MHSA | their shared scale | difference | its scale.
    constexpr std::array<int, 3> kMapColumn{0, 1, 3};
    auto* margins = new QCPMarginGroup(p.plot);
    for (int i = 0; i < 3; ++i) {
        const int column = kMapColumn[static_cast<size_t>(i)];
        p.titles[static_cast<size_t>(i)] = new QCPTextElement(p.plot, QString(), QFont(font().family(), 9, QFont::Bold));
        p.plot->plotLayout()->addElement(0, column, p.titles[static_cast<size_t>(i)]);
        QCPAxisRect* rect = new QCPAxisRect(p.plot);
        p.rects[static_cast<size_t>(i)] = rect;
        p.plot->plotLayout()->addElement(1, column, rect);
        // Equal margins all round, so the three maps are equally large although only the first
        // carries query labels.
        rect->setMarginGroup(QCP::msLeft | QCP::msRight | QCP::msTop | QCP::msBottom, margins);
        rect->axis(QCPAxis::atLeft)->setRangeReversed(true);
        rect->axis(QCPAxis::atBottom)->setTickLabelRotation(60);
        rect->axis(QCPAxis::atLeft)->setLabel(i == 0 ? tr("query") : QString());
        rect->axis(QCPAxis::atBottom)->setLabel(tr("key"));
        for (QCPAxis* axis : rect->axes())
            axis->grid()->setVisible(false);
        auto* map = new CellColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        p.maps[static_cast<size_t>(i)] = map;
        map->setColorScale(i < 2 ? p.patternScale : p.differenceScale);
        for (int line = 0; line < 2; ++line) {
            auto* item = new QCPItemStraightLine(p.plot);
            item->setClipAxisRect(rect);
            item->setClipToAxisRect(true);
            for (QCPItemPosition* pos : item->positions()) {
                pos->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
                pos->setAxisRect(rect);
            }
            item->setVisible(false);
            p.crosshair[static_cast<size_t>(i * 2 + line)] = item;
        }
    }
    p.plot->plotLayout()->addElement(1, 2, p.patternScale);
    p.plot->plotLayout()->addElement(1, 4, p.differenceScale);
    p.plot->plotLayout()->setColumnStretchFactor(2, 0.01);
    p.plot->plotLayout()->setColumnStretchFactor(4, 0.01);
    p.plot->plotLayout()->setRowStretchFactor(0, 0.01);
    applyPlotTheme(p.plot, Theme::fromPalette(palette()));

    m_ranking->setMaximumWidth(230);
    m_ranking->setToolTip(tr("MHSA heads ranked by mean Jensen–Shannon distance of their rows to the Lorsa pattern (lower is closer), "
                             "with each head's induction score"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(p.plot, 1);
    layout->addWidget(m_ranking);

    connect(p.plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) { hover(event->position()); });
    connect(m_ranking, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        if (m_selection)
            m_selection->setMhsaHead(item->data(Qt::UserRole).toInt());
    });
}

PatternMapView::~PatternMapView() = default;

QCustomPlot* PatternMapView::plot() const
{
    return m_plot->plot;
}

void PatternMapView::setResult(const ExplorerResultPtr& result)
{
    const auto analysis = result ? result->analysis : nullptr;
    const auto detail = result ? result->detail : nullptr;
    // Another query token of the same head pair on the same prompt: the same three maps.
    const bool sameMaps = analysis && analysis == m_analysis && m_detail && detail && m_detail->lorsaHead == detail->lorsaHead &&
                          m_detail->mhsaHead == detail->mhsaHead;
    m_analysis = analysis;
    m_detail = detail;
    if (!sameMaps)
        rebuild();
}

void PatternMapView::rebuild()
{
    Plot& p = *m_plot;
    m_ranking->clear();
    const HeadDetail* d = m_detail.get();
    QStringList labels;
    if (m_analysis)
        for (const TokenInfo& token : m_analysis->tokens)
            labels << displayToken(token.text);
    const int64_t tokens = d ? d->lorsaPattern.rows : 0;
    // The maps follow when their grids are ready (at once up to kMaxCellsPerAxis tokens).
    p.reducer->request(
        tokens,
        [detail = m_detail] {
            const FloatMatrix empty;
            const FloatMatrix& lorsa = detail ? detail->lorsaPattern : empty;
            const FloatMatrix& mhsa = detail ? detail->mhsaPattern : empty;
            return std::vector<CellGrid>{cellGridOf(lorsa, true, QStringLiteral("Lorsa pattern")),
                                         cellGridOf(mhsa, true, QStringLiteral("MHSA pattern")),
                                         differenceGridOf(lorsa, mhsa, true, QStringLiteral("pattern difference"))};
        },
        [this](const std::vector<CellGrid>& grids, const QString& error) { showGrids(grids, error); });
    const int n = static_cast<int>(tokens);
    const bool labelsMatch = labels.size() == n;
    for (size_t i = 0; i < 3; ++i) {
        QCPAxisRect* rect = p.rects[i];
        rect->axis(QCPAxis::atBottom)->setRange(-0.5, n - 0.5);
        rect->axis(QCPAxis::atLeft)->setRange(-0.5, n - 0.5);
        if (labelsMatch) {
            setTokenTicks(rect->axis(QCPAxis::atBottom), labels);
            setTokenTicks(rect->axis(QCPAxis::atLeft), labels);
        }
        rect->axis(QCPAxis::atLeft)->setTickLabels(i == 0);
    }
    if (d) {
        p.titles[0]->setText(tr("Lorsa head %1 (QK %2)").arg(d->lorsaHead).arg(d->qkHead));
        p.titles[1]->setText(tr("MHSA head %1").arg(d->mhsaHead));
        p.titles[2]->setText(tr("Lorsa − MHSA"));
        std::vector<int> order(d->mhsaSimilarity.size());
        std::iota(order.begin(), order.end(), 0);
        // NaN distances sort last.
        std::stable_sort(order.begin(), order.end(), [d](int x, int y) {
            const float a = d->mhsaSimilarity[static_cast<size_t>(x)], b = d->mhsaSimilarity[static_cast<size_t>(y)];
            return std::isnan(b) ? !std::isnan(a) : a < b;
        });
        for (int head : order) {
            auto* item = new QListWidgetItem(tr("MHSA %1   JSD %2").arg(head, 3).arg(d->mhsaSimilarity[static_cast<size_t>(head)], 0, 'f', 3), m_ranking);
            item->setData(Qt::UserRole, head);
            if (m_analysis && head < static_cast<int>(m_analysis->session->mhsaHeadScores.size())) {
                const HeadScore& score = m_analysis->session->mhsaHeadScores[static_cast<size_t>(head)];
                item->setText(item->text() + tr("   ind %1").arg(score.induction, 0, 'f', 2));
                item->setToolTip(headScoreText(tr("MHSA head %1").arg(head), score));
            }
            if (head == d->mhsaHead)
                item->setSelected(true);
        }
    } else {
        for (QCPTextElement* title : p.titles)
            title->setText(QString());
    }
    p.plot->replot(QCustomPlot::rpQueuedReplot);
}

void PatternMapView::showGrids(const std::vector<CellGrid>& grids, const QString& error)
{
    Plot& p = *m_plot;
    p.shownTokens = 0;
    if (!error.isEmpty() || grids.size() != 3) {
        for (CellColorMap* map : p.maps)
            map->data()->clear();
        p.titles[0]->setText(error);
        p.plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    for (size_t i = 0; i < 3; ++i)
        showCellGrid(p.maps[i], grids[i]);
    p.shownTokens = grids[0].tokens;
    const ValueRange& a = grids[0].range;
    const ValueRange& b = grids[1].range;
    const ValueRange& c = grids[2].range;
    p.patternScale->setDataRange(QCPRange(0, std::max({a.valid ? a.upper : 0.0, b.valid ? b.upper : 0.0, 1e-6})));
    const double absMax = std::max({c.valid ? std::abs(c.lower) : 0.0, c.valid ? std::abs(c.upper) : 0.0, 1e-6});
    p.differenceScale->setDataRange(QCPRange(-absMax, absMax));
    p.plot->replot(QCustomPlot::rpQueuedReplot);
}

void PatternMapView::hover(const QPointF& pos)
{
    Plot& p = *m_plot;
    const int n = static_cast<int>(p.shownTokens);
    int hit = -1;
    for (size_t i = 0; i < 3; ++i)
        if (p.rects[i]->rect().contains(pos.toPoint()))
            hit = static_cast<int>(i);
    if (hit < 0 || n == 0 || !m_detail) {
        for (QCPItemStraightLine* line : p.crosshair)
            line->setVisible(false);
        QToolTip::hideText();
        p.plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    QCPAxisRect* rect = p.rects[static_cast<size_t>(hit)];
    const int key = static_cast<int>(std::lround(rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x())));
    const int query = static_cast<int>(std::lround(rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
    if (key < 0 || query < 0 || key >= n || query >= n)
        return;
    for (size_t i = 0; i < 3; ++i) {
        p.crosshair[i * 2]->point1->setCoords(key, 0);
        p.crosshair[i * 2]->point2->setCoords(key, 1);
        p.crosshair[i * 2 + 1]->point1->setCoords(0, query);
        p.crosshair[i * 2 + 1]->point2->setCoords(1, query);
        for (size_t j = 0; j < 2; ++j) {
            p.crosshair[i * 2 + j]->setPen(QPen(Theme::fromPalette(palette()).highlight, 1, Qt::DashLine));
            p.crosshair[i * 2 + j]->setVisible(true);
        }
    }
    auto tokenText = [this](int t) {
        return m_analysis && static_cast<size_t>(t) < m_analysis->tokens.size() ? displayToken(m_analysis->tokens[static_cast<size_t>(t)].text) : QString();
    };
    const QString text = key > query
        ? tr("query %1 %2 · key %3 %4<br>(after the query: masked)").arg(query).arg(tokenText(query).toHtmlEscaped()).arg(key).arg(tokenText(key).toHtmlEscaped())
        : tr("query %1 <code>%2</code> · key %3 <code>%4</code><br>Lorsa %5<br>MHSA %6<br>difference %7")
              .arg(query).arg(tokenText(query).toHtmlEscaped()).arg(key).arg(tokenText(key).toHtmlEscaped())
              .arg(m_detail->lorsaPattern.at(query, key), 0, 'g', 6).arg(m_detail->mhsaPattern.at(query, key), 0, 'g', 6)
              .arg(m_detail->lorsaPattern.at(query, key) - m_detail->mhsaPattern.at(query, key), 0, 'g', 6);
    QToolTip::showText(p.plot->mapToGlobal(pos.toPoint()) + QPoint(14, 14), text, p.plot);
    p.plot->replot(QCustomPlot::rpQueuedReplot);
}

void PatternMapView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        applyPlotTheme(m_plot->plot, Theme::fromPalette(palette()));
        m_plot->plot->replot(QCustomPlot::rpQueuedReplot);
    }
    QWidget::changeEvent(event);
}

void PatternMapView::contextMenuEvent(QContextMenuEvent* event)
{
    showExportMenu(this, *this, event->globalPos());
}

double PatternMapView::figureHeight(double width) const
{
    // Three square maps side by side plus colour bars, titles and rotated labels.
    return width / 3.4 + 110;
}

void PatternMapView::renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme)
{
    Plot& p = *m_plot;
    p.reducer->finish();
    for (QCPItemStraightLine* line : p.crosshair)
        line->setVisible(false);
    applyPlotTheme(p.plot, theme);
    painter.save();
    painter.translate(rect.topLeft());
    p.plot->toPainter(&painter, static_cast<int>(rect.width()), static_cast<int>(rect.height()));
    painter.restore();
    applyPlotTheme(p.plot, Theme::fromPalette(palette()));
}

DataTable PatternMapView::figureData() const
{
    DataTable table;
    table.columns = {QStringLiteral("query"), QStringLiteral("key"), QStringLiteral("query_token"), QStringLiteral("key_token"),
        QStringLiteral("lorsa"), QStringLiteral("mhsa"), QStringLiteral("difference")};
    table.meta = provenance(m_analysis.get(), figureName());
    const HeadDetail* d = m_detail.get();
    if (!d)
        return table;
    table.meta[QStringLiteral("lorsa_head")] = d->lorsaHead;
    table.meta[QStringLiteral("qk_head")] = d->qkHead;
    table.meta[QStringLiteral("mhsa_head")] = d->mhsaHead;
    table.meta[QStringLiteral("mhsa_similarity")] = QStringLiteral("mean Jensen-Shannon distance of rows");
    const int64_t n = m_plot->shownTokens;
    auto tokenText = [this](int64_t t) {
        return m_analysis && static_cast<size_t>(t) < m_analysis->tokens.size() ? QString::fromStdString(m_analysis->tokens[static_cast<size_t>(t)].text) : QString();
    };
    for (int64_t q = 0; q < n; ++q)
        for (int64_t k = 0; k <= q; ++k)
            table.rows.append({static_cast<qlonglong>(q), static_cast<qlonglong>(k), tokenText(q), tokenText(k),
                static_cast<double>(d->lorsaPattern.at(q, k)), static_cast<double>(d->mhsaPattern.at(q, k)),
                static_cast<double>(d->lorsaPattern.at(q, k) - d->mhsaPattern.at(q, k))});
    return table;
}

} // namespace lorsa
