#include "widgets/z_pattern_view.h"

#include "model/core/error.h"
#include "widgets/data_writer.h"
#include "widgets/export_menu.h"
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
};

ZPatternView::ZPatternView(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_plot(std::make_unique<Plot>())
{
    Plot& p = *m_plot;
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
    p.plot->plotLayout()->setRowStretchFactor(1, 0.8);
    p.plot->plotLayout()->setRowStretchFactor(2, 1.6);
    p.plot->plotLayout()->setColumnStretchFactor(1, 0.01);
    auto* margins = new QCPMarginGroup(p.plot);
    p.barRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    p.mapRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    p.barRect->axis(QCPAxis::atLeft)->setLabel(tr("A[q,k]·v[k]"));
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
                rebuild();
        });
}

ZPatternView::~ZPatternView() = default;

QCustomPlot* ZPatternView::plot() const
{
    return m_plot->plot;
}

void ZPatternView::setAnalysis(PromptAnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    rebuild();
}

void ZPatternView::setHeadDetail(HeadDetailPtr detail)
{
    m_detail = std::move(detail);
    rebuild();
}

int ZPatternView::query() const
{
    return m_selection ? m_selection->queryToken() : (m_detail ? m_detail->queryToken : 0);
}

void ZPatternView::rebuild()
{
    Plot& p = *m_plot;
    const Theme theme = Theme::fromPalette(palette());
    p.positive->setBrush(theme.positive);
    p.negative->setBrush(theme.negative);
    p.positive->data()->clear();
    p.negative->data()->clear();
    const FloatMatrix empty;
    const FloatMatrix& z = m_detail ? m_detail->zPattern : empty;
    ValueRange range;
    try {
        range = fillPatternMap(p.map, z, true, QStringLiteral("z pattern"));
    } catch (const Error& error) {
        p.map->data()->clear();
        p.title->setText(QString::fromStdString(error.what()));
        p.plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int n = static_cast<int>(z.rows);
    const int q = query();
    QStringList labels;
    if (m_analysis && static_cast<int>(m_analysis->tokens.size()) == n)
        for (const TokenInfo& token : m_analysis->tokens)
            labels << displayToken(token.text);
    double barMax = 1e-6;
    if (q >= 0 && q < n) {
        for (int k = 0; k <= q; ++k) {
            const double c = z.at(q, k);
            if (!std::isfinite(c))
                continue;
            (c >= 0 ? p.positive : p.negative)->addData(k, c);
            barMax = std::max(barMax, std::abs(c));
        }
    }
    const double absMax = range.valid ? std::max({std::abs(range.lower), std::abs(range.upper), 1e-6}) : 1.0;
    p.scale->setDataRange(QCPRange(-absMax, absMax));
    p.barRect->axis(QCPAxis::atBottom)->setRange(-0.5, std::max(q, 0) + 0.5);
    p.barRect->axis(QCPAxis::atLeft)->setRange(-barMax * 1.1, barMax * 1.1);
    p.mapRect->axis(QCPAxis::atBottom)->setRange(-0.5, n - 0.5);
    p.mapRect->axis(QCPAxis::atLeft)->setRange(-0.5, n - 0.5);
    if (!labels.isEmpty()) {
        setTokenTicks(p.barRect->axis(QCPAxis::atBottom), labels.mid(0, std::max(q + 1, 1)), 48);
        setTokenTicks(p.mapRect->axis(QCPAxis::atBottom), labels, 48);
        setTokenTicks(p.mapRect->axis(QCPAxis::atLeft), labels, 32);
    }
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
