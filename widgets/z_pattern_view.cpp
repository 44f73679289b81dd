#include "widgets/z_pattern_view.h"

#include "model/core/error.h"
#include "widgets/data_writer.h"
#include "widgets/export_menu.h"
#include "widgets/grid_reducer.h"
#include "widgets/pattern_map.h"
#include "widgets/plot_style.h"
#include "widgets/selection_model.h"
#include "widgets/token_layout.h"

#include <QContextMenuEvent>
#include <QVBoxLayout>

#include <cmath>

namespace lorsa {

struct ZPatternView::Plot {
    QCustomPlot* plot = nullptr;
    QCPTextElement* title = nullptr;
    QCPAxisRect* barRect = nullptr;
    QCPAxisRect* mapRect = nullptr;
    QCPBars* positive = nullptr;
    QCPBars* negative = nullptr;
    CellColorMap* map = nullptr;
    QCPColorScale* scale = nullptr;
    GridReducer* reducer = nullptr;
};

ZPatternView::ZPatternView(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_plot(std::make_unique<Plot>())
{
    Plot& p = *m_plot;
    p.reducer = new GridReducer(this);
    p.plot = new QCustomPlot(this);
    p.plot->plotLayout()->clear();
    p.title = new QCPTextElement(p.plot, QString(), QFont(font().family(), 9, QFont::Bold));
    p.barRect = new QCPAxisRect(p.plot);
    p.mapRect = new QCPAxisRect(p.plot);
    p.scale = new QCPColorScale(p.plot);
    p.plot->plotLayout()->addElement(0, 0, p.title);
    p.plot->plotLayout()->addElement(1, 0, p.barRect);
    p.plot->plotLayout()->addElement(2, 0, p.mapRect);
    p.plot->plotLayout()->addElement(2, 1, p.scale);
    p.plot->plotLayout()->setRowStretchFactor(0, 0.01);
    p.plot->plotLayout()->setRowStretchFactor(1, 1.0);
    p.plot->plotLayout()->setRowStretchFactor(2, 1.4);
    p.plot->plotLayout()->setColumnStretchFactor(1, 0.01);
    auto* margins = new QCPMarginGroup(p.plot);
    p.barRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    p.mapRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    p.barRect->axis(QCPAxis::atLeft)->setLabel(tr("A[q,k]·v[k]"));
    p.barRect->axis(QCPAxis::atLeft)->ticker()->setTickCount(3);
    p.barRect->axis(QCPAxis::atBottom)->setTickLabelRotation(60);
    p.positive = new QCPBars(p.barRect->axis(QCPAxis::atBottom), p.barRect->axis(QCPAxis::atLeft));
    p.negative = new QCPBars(p.barRect->axis(QCPAxis::atBottom), p.barRect->axis(QCPAxis::atLeft));
    for (QCPBars* bars : {p.positive, p.negative}) {
        bars->setWidth(0.8);
        bars->setPen(Qt::NoPen);
    }
    p.map = new CellColorMap(p.mapRect->axis(QCPAxis::atBottom), p.mapRect->axis(QCPAxis::atLeft));
    p.map->setColorScale(p.scale);
    p.scale->setGradient(colourGradient(ColourScale::Kind::Diverging));
    p.scale->setBarWidth(10);
    p.scale->axis()->setLabel(tr("contribution"));
    p.mapRect->axis(QCPAxis::atLeft)->setRangeReversed(true);
    p.mapRect->axis(QCPAxis::atLeft)->setLabel(tr("query"));
    // The map's keys line up with the bars' (one margin group), whose labels name them: without
    // a second row of rotated labels the map keeps its height in a short dock.
    p.mapRect->axis(QCPAxis::atBottom)->setLabel(tr("key (as above)"));
    p.mapRect->axis(QCPAxis::atBottom)->setTickLabels(false);
    for (QCPAxis* axis : p.mapRect->axes())
        axis->grid()->setVisible(false);
    applyPlotTheme(p.plot, Theme::fromPalette(palette()));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(p.plot);
    if (m_selection)
        connect(m_selection, &SelectionModel::changed, this, [this](SelectionModel::Field field) {
            if (field == SelectionModel::Field::QueryToken)
                rebuildBars();  // the map shows every query already
        });
}

ZPatternView::~ZPatternView() = default;

QCustomPlot* ZPatternView::plot() const
{
    return m_plot->plot;
}

void ZPatternView::setResult(const ExplorerResultPtr& result)
{
    const auto analysis = result ? result->analysis : nullptr;
    const auto detail = result ? result->detail : nullptr;
    // Another query token of the same head on the same prompt: the same map, other bars.
    const bool sameMap = analysis && analysis == m_analysis && m_detail && detail && m_detail->lorsaHead == detail->lorsaHead;
    m_analysis = analysis;
    m_detail = detail;
    if (sameMap)
        rebuildBars();
    else
        rebuild();
}

int ZPatternView::query() const
{
    return m_selection ? m_selection->queryToken() : (m_detail ? m_detail->queryToken : 0);
}

void ZPatternView::rebuild()
{
    Plot& p = *m_plot;
    const int64_t n = m_detail ? m_detail->zPattern.rows : 0;
    p.mapRect->axis(QCPAxis::atBottom)->setRange(-0.5, n - 0.5);
    p.mapRect->axis(QCPAxis::atLeft)->setRange(-0.5, n - 0.5);
    // Bars and map share the key axis (one column per token, later keys empty), so each bar
    // stands over its map column.
    p.barRect->axis(QCPAxis::atBottom)->setRange(-0.5, n - 0.5);
    QStringList labels;
    if (m_analysis && static_cast<int64_t>(m_analysis->tokens.size()) == n)
        for (const TokenInfo& token : m_analysis->tokens)
            labels << displayToken(token.text);
    if (!labels.isEmpty()) {
        setTokenTicks(p.barRect->axis(QCPAxis::atBottom), labels);
        setTokenTicks(p.mapRect->axis(QCPAxis::atBottom), labels);
        setTokenTicks(p.mapRect->axis(QCPAxis::atLeft), labels);
    }
    rebuildBars();
    // The map follows when its grid is ready (at once up to kMaxCellsPerAxis tokens).
    p.reducer->request(
        n,
        [detail = m_detail] {
            const FloatMatrix empty;
            return std::vector<CellGrid>{cellGridOf(detail ? detail->zPattern : empty, true, QStringLiteral("z pattern"))};
        },
        [this](const std::vector<CellGrid>& grids, const QString& error) { showGrid(grids, error); });
}

void ZPatternView::showGrid(const std::vector<CellGrid>& grids, const QString& error)
{
    Plot& p = *m_plot;
    if (!error.isEmpty() || grids.size() != 1) {
        p.map->data()->clear();
        p.positive->data()->clear();
        p.negative->data()->clear();
        p.title->setText(error);
        p.plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    showCellGrid(p.map, grids[0]);
    const ValueRange& range = grids[0].range;
    const double absMax = range.valid ? std::max({std::abs(range.lower), std::abs(range.upper), 1e-6}) : 1.0;
    p.scale->setDataRange(QCPRange(-absMax, absMax));
    p.plot->replot(QCustomPlot::rpQueuedReplot);
}

void ZPatternView::rebuildBars()
{
    Plot& p = *m_plot;
    const Theme theme = Theme::fromPalette(palette());
    p.positive->setBrush(theme.positive);
    p.negative->setBrush(theme.negative);
    p.positive->data()->clear();
    p.negative->data()->clear();
    const FloatMatrix empty;
    const FloatMatrix& z = m_detail && static_cast<uint64_t>(m_detail->zPattern.rows * m_detail->zPattern.cols) == m_detail->zPattern.values.size()
                               ? m_detail->zPattern
                               : empty;
    const int n = static_cast<int>(z.rows);
    const int q = query();
    double barMax = 1e-6;
    if (q >= 0 && q < n && z.cols == n) {
        for (int k = 0; k <= q; ++k) {
            const double c = z.at(q, k);
            if (!std::isfinite(c))
                continue;
            (c >= 0 ? p.positive : p.negative)->addData(k, c);
            barMax = std::max(barMax, std::abs(c));
        }
    }
    p.barRect->axis(QCPAxis::atLeft)->setRange(-barMax * 1.1, barMax * 1.1);
    p.title->setText(m_detail ? tr("Lorsa head %1 at query %2: z = Σ_k A[q,k]·v[k]").arg(m_detail->lorsaHead).arg(q) : QString());
    p.plot->replot(QCustomPlot::rpQueuedReplot);
}

void ZPatternView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        applyPlotTheme(m_plot->plot, Theme::fromPalette(palette()));
        rebuild();
    }
    QWidget::changeEvent(event);
}

void ZPatternView::contextMenuEvent(QContextMenuEvent* event)
{
    showExportMenu(this, *this, event->globalPos());
}

double ZPatternView::figureHeight(double width) const
{
    return width * 0.75 + 80;
}

void ZPatternView::renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme)
{
    Plot& p = *m_plot;
    p.reducer->finish();
    applyPlotTheme(p.plot, theme);
    p.positive->setBrush(theme.positive);
    p.negative->setBrush(theme.negative);
    painter.save();
    painter.translate(rect.topLeft());
    p.plot->toPainter(&painter, static_cast<int>(rect.width()), static_cast<int>(rect.height()));
    painter.restore();
    applyPlotTheme(p.plot, Theme::fromPalette(palette()));
    rebuild();
}

DataTable ZPatternView::figureData() const
{
    DataTable table;
    table.columns = {QStringLiteral("query"), QStringLiteral("key"), QStringLiteral("query_token"), QStringLiteral("key_token"), QStringLiteral("contribution")};
    table.meta = provenance(m_analysis.get(), figureName());
    if (!m_detail)
        return table;
    table.meta[QStringLiteral("lorsa_head")] = m_detail->lorsaHead;
    table.meta[QStringLiteral("selected_query")] = query();
    const FloatMatrix& z = m_detail->zPattern;
    if (z.rows != z.cols || static_cast<uint64_t>(z.rows * z.cols) != z.values.size())
        return table;
    auto tokenText = [this](int64_t t) {
        return m_analysis && static_cast<size_t>(t) < m_analysis->tokens.size() ? QString::fromStdString(m_analysis->tokens[static_cast<size_t>(t)].text) : QString();
    };
    for (int64_t q = 0; q < z.rows; ++q)
        for (int64_t k = 0; k <= q; ++k)
            table.rows.append({static_cast<qlonglong>(q), static_cast<qlonglong>(k), tokenText(q), tokenText(k), static_cast<double>(z.at(q, k))});
    return table;
}

} // namespace lorsa
