#include "widgets/z_pattern_view.h"

#include "model/core/error.h"
#include "widgets/bar_labels.h"
#include "widgets/contribution_table.h"
#include "widgets/data_writer.h"
#include "widgets/export_menu.h"
#include "widgets/grid_reducer.h"
#include "widgets/pattern_map.h"
#include "widgets/plot_style.h"
#include "widgets/selection_model.h"
#include "widgets/token_layout.h"
#include "widgets/z_pattern_stats.h"

#include <QCheckBox>
#include <QContextMenuEvent>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>

namespace lorsa {
namespace {

// A bar carries its token when it is at least this fraction of the row's largest |contribution|.
constexpr double kLabelFraction = 0.2;
// Room above and below the bars for their labels, as a fraction of the largest bar.
constexpr double kLabelHeadroom = 0.45;

} // namespace

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
    QCPItemRect* rowMarker = nullptr;  // the selected query's row on the map
    std::vector<QCPItemText*> labels;
    std::vector<double> row;           // the selected query's contributions, NaN where none
    double labelKeyPixels = -1;        // the key width the labels were chosen for; -1: choose again
    QColor labelColour;                // the screen's, or the figure theme's while rendering one
};

ZPatternView::ZPatternView(SelectionModel* selection, QWidget* parent)
    : QWidget(parent)
    , m_selection(selection)
    , m_plot(std::make_unique<Plot>())
    , m_ranking(new ContributionTable(this))
    , m_rowScale(new QCheckBox(tr("Colour scale: selected query's row"), this))
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
    p.rowMarker = new QCPItemRect(p.plot);
    p.rowMarker->setClipAxisRect(p.mapRect);
    for (QCPItemPosition* corner : {p.rowMarker->topLeft, p.rowMarker->bottomRight}) {
        corner->setAxes(p.mapRect->axis(QCPAxis::atBottom), p.mapRect->axis(QCPAxis::atLeft));
        corner->setAxisRect(p.mapRect);
    }
    p.rowMarker->setVisible(false);
    applyPlotTheme(p.plot, Theme::fromPalette(palette()));
    // Which labels fit depends on a key's width in pixels, known once the plot is laid out; the
    // items placed here are drawn by the same replot.
    connect(p.plot, &QCustomPlot::afterLayout, this, [this] { placeLabels(); });
    connect(p.plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        const QString text = hoverText(event->position());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(event->globalPosition().toPoint() + QPoint(14, 14), text, m_plot->plot);
    });

    m_rowScale->setChecked(true);
    m_rowScale->setToolTip(tr("On: the map's colours span ±the largest |A·v| of the selected query's row (outlined). "
                              "Off: ±the largest over the whole map."));
    connect(m_rowScale, &QCheckBox::toggled, this, [this] { updateColourScale(); });
    auto* lower = new QWidget(this);
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(4, 0, 4, 0);
    lowerLayout->setSpacing(2);
    lowerLayout->addWidget(m_rowScale);
    lowerLayout->addWidget(m_ranking, 1);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(p.plot);
    splitter->addWidget(lower);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    p.plot->setMinimumHeight(220);  // bars and map stay readable; the list scrolls
    splitter->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
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

const FloatMatrix& ZPatternView::zPattern() const
{
    static const FloatMatrix empty;
    const bool valid = m_detail && m_detail->zPattern.rows == m_detail->zPattern.cols
                       && static_cast<uint64_t>(m_detail->zPattern.rows * m_detail->zPattern.cols) == m_detail->zPattern.values.size();
    return valid ? m_detail->zPattern : empty;
}

QString ZPatternView::tokenText(int position) const
{
    return m_analysis && position >= 0 && static_cast<size_t>(position) < m_analysis->tokens.size()
               ? displayToken(m_analysis->tokens[static_cast<size_t>(position)].text)
               : QString();
}

void ZPatternView::rebuild()
{
    Plot& p = *m_plot;
    const int64_t n = zPattern().rows;
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
    m_mapAbsMax = 1.0;
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
    m_mapAbsMax = range.valid ? std::max({std::abs(range.lower), std::abs(range.upper), 1e-6}) : 1.0;
    updateColourScale();
}

bool ZPatternView::rowColourScale() const
{
    return m_rowScale->isChecked();
}

void ZPatternView::setRowColourScale(bool row)
{
    m_rowScale->setChecked(row);
}

double ZPatternView::colourRange() const
{
    return m_plot->scale->dataRange().upper;
}

void ZPatternView::updateColourScale()
{
    Plot& p = *m_plot;
    const FloatMatrix& z = zPattern();
    const int q = query();
    const bool rowShown = q >= 0 && q < z.rows;
    const double absMax = rowShown && rowColourScale() ? rowAbsMax(z, q) : m_mapAbsMax;
    p.scale->setDataRange(QCPRange(-absMax, absMax));
    p.scale->axis()->setLabel(rowShown && rowColourScale() ? tr("A·v (row %1)").arg(q) : tr("A·v"));
    p.rowMarker->setVisible(rowShown);
    p.rowMarker->topLeft->setCoords(-0.5, q - 0.5);
    p.rowMarker->bottomRight->setCoords(z.cols - 0.5, q + 0.5);
    p.rowMarker->setPen(QPen(Theme::fromPalette(palette()).highlight, 1.5));
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
    const FloatMatrix& z = zPattern();
    const int n = static_cast<int>(z.rows);
    const int q = query();
    std::vector<double> row;
    double barMax = 1e-6;
    if (q >= 0 && q < n) {
        row.assign(static_cast<size_t>(q) + 1, std::nan(""));
        for (int k = 0; k <= q; ++k) {
            const double c = z.at(q, k);
            if (!std::isfinite(c))
                continue;
            row[static_cast<size_t>(k)] = c;
            (c >= 0 ? p.positive : p.negative)->addData(k, c);
            barMax = std::max(barMax, std::abs(c));
        }
    }
    p.barRect->axis(QCPAxis::atLeft)->setRange(-barMax * (1 + kLabelHeadroom), barMax * (1 + kLabelHeadroom));
    p.title->setText(m_detail ? tr("Lorsa head %1 at query %2 “%3”: z = Σ_k A[q,k]·v[k]").arg(m_detail->lorsaHead).arg(q).arg(tokenText(q)) : QString());
    p.row = std::move(row);
    p.labelKeyPixels = -1;
    p.labelColour = theme.foreground;
    m_ranking->setContributions(rankContributions(z, q, ContributionTable::kRows), m_analysis ? m_analysis->tokens : std::vector<TokenInfo>{});
    updateColourScale();
}

void ZPatternView::placeLabels()
{
    Plot& p = *m_plot;
    // Label widths in keys: the bar axis's pixels per key at the plot's current size.
    const QCPAxis* keys = p.barRect->axis(QCPAxis::atBottom);
    const double pixelsPerKey = std::max(1e-3, std::abs(keys->coordToPixel(1) - keys->coordToPixel(0)));
    if (std::abs(pixelsPerKey - p.labelKeyPixels) < 0.5)
        return;  // a hover replot: the same labels
    p.labelKeyPixels = pixelsPerKey;
    const std::vector<double>& row = p.row;
    for (QCPItemText* label : p.labels)
        p.plot->removeItem(label);
    p.labels.clear();
    QFont font = this->font();
    font.setPointSizeF(8);
    const QFontMetricsF metrics(font);
    std::vector<double> widths;
    for (size_t k = 0; k < row.size(); ++k)
        widths.push_back(metrics.horizontalAdvance(tokenText(static_cast<int>(k))) / pixelsPerKey);
    m_labelled = chooseBarLabels(row, widths, kLabelFraction, 4 / pixelsPerKey);
    for (int k : m_labelled) {
        const double c = row[static_cast<size_t>(k)];
        auto* label = new QCPItemText(p.plot);
        label->setClipAxisRect(p.barRect);
        label->position->setAxes(p.barRect->axis(QCPAxis::atBottom), p.barRect->axis(QCPAxis::atLeft));
        label->position->setAxisRect(p.barRect);
        label->position->setCoords(k, c);
        label->setPositionAlignment(Qt::AlignHCenter | (c >= 0 ? Qt::AlignBottom : Qt::AlignTop));
        label->setFont(font);
        label->setColor(p.labelColour);
        label->setText(tokenText(k));
        p.labels.push_back(label);
    }
}

QString ZPatternView::hoverText(const QPointF& pos) const
{
    const Plot& p = *m_plot;
    const FloatMatrix& z = zPattern();
    const int n = static_cast<int>(z.rows);
    if (n == 0)
        return {};
    const bool onBars = p.barRect->rect().contains(pos.toPoint());
    const bool onMap = p.mapRect->rect().contains(pos.toPoint());
    if (!onBars && !onMap)
        return {};
    const QCPAxisRect* rect = onBars ? p.barRect : p.mapRect;
    const int key = static_cast<int>(std::lround(rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x())));
    const int q = onBars ? query() : static_cast<int>(std::lround(rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
    if (key < 0 || q < 0 || key > q || q >= n)
        return {};
    const double c = z.at(q, key);
    double total = 0;
    for (int k = 0; k <= q; ++k)
        total += std::isfinite(z.at(q, k)) ? std::abs(z.at(q, k)) : 0.0;
    return tr("query %1 <code>%2</code> · key %3 <code>%4</code><br>A·v = %5 (%6% of Σ|A·v|)")
        .arg(q).arg(tokenText(q).toHtmlEscaped()).arg(key).arg(tokenText(key).toHtmlEscaped())
        .arg(c, 0, 'g', 5).arg(total > 0 ? 100 * std::abs(c) / total : 0.0, 0, 'f', 1);
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
    p.rowMarker->setPen(QPen(theme.highlight, 1.5));
    // The figure's width decides which labels fit: chosen again when it is laid out.
    p.labelColour = theme.foreground;
    p.labelKeyPixels = -1;
    for (QCPItemText* label : p.labels)
        label->setColor(theme.foreground);
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
