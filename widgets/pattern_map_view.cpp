#include "widgets/pattern_map_view.h"

#include "widgets/empty_state.h"
#include "widgets/export_menu.h"
#include "widgets/head_score_text.h"
#include "widgets/pattern_map.h"
#include "widgets/pattern_map_view_plot.h"
#include "widgets/plot_style.h"
#include "widgets/selection_model.h"
#include "widgets/token_layout.h"

#include <QActionGroup>
#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QListWidget>
#include <QMenu>
#include <QToolTip>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

namespace lorsa {
namespace {

// Columns: Lorsa | MHSA | their shared scale | difference | its scale | spacer; without a Lorsa
// the Lorsa and difference columns stay empty.
constexpr std::array<int, 3> kMapColumn{0, 1, 3};
constexpr int kPatternScaleColumn = 2;
constexpr int kDifferenceScaleColumn = 4;
constexpr int kSpacerColumn = 5;
constexpr double kSpacerStretch = 1e-6;

/// Puts \p item on \p rect's axes, clipped to it, hidden until used.
template <typename Item>
Item* onMap(Item* item, QCPAxisRect* rect)
{
    item->setClipAxisRect(rect);
    item->setClipToAxisRect(true);
    for (QCPItemPosition* pos : item->positions()) {
        pos->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        pos->setAxisRect(rect);
    }
    item->setVisible(false);
    return item;
}

} // namespace

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
    auto* margins = new QCPMarginGroup(p.plot);
    for (int i = 0; i < 3; ++i) {
        p.titles[static_cast<size_t>(i)] = new QCPTextElement(p.plot, QString(), QFont(font().family(), 9, QFont::Bold));
        p.titles[static_cast<size_t>(i)]->setMinimumSize(1, 0);  // a long title must not widen a narrow map
        QCPAxisRect* rect = new QCPAxisRect(p.plot);
        p.rects[static_cast<size_t>(i)] = rect;
        // In the layout before the items on it are made (they look for an axis rect there).
        p.plot->plotLayout()->addElement(0, kMapColumn[static_cast<size_t>(i)], p.titles[static_cast<size_t>(i)]);
        p.plot->plotLayout()->addElement(1, kMapColumn[static_cast<size_t>(i)], rect);
        // Equal margins above, below and right; only the first map carries query labels on its
        // left, and balanceMapWidths gives its column that much more room.
        rect->setMarginGroup(QCP::msRight | QCP::msTop | QCP::msBottom, margins);
        rect->axis(QCPAxis::atLeft)->setRangeReversed(true);
        rect->axis(QCPAxis::atBottom)->setTickLabelRotation(60);
        rect->axis(QCPAxis::atBottom)->setLabel(tr("key"));
        for (QCPAxis* axis : rect->axes())
            axis->grid()->setVisible(false);
        auto* map = new CellColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        p.maps[static_cast<size_t>(i)] = map;
        map->setColorScale(i < 2 ? p.patternScale : p.differenceScale);
        for (int line = 0; line < 2; ++line)
            p.crosshair[static_cast<size_t>(i * 2 + line)] = onMap(new QCPItemStraightLine(p.plot), rect);
        p.queryRow[static_cast<size_t>(i)] = onMap(new QCPItemRect(p.plot), rect);
        p.keyCell[static_cast<size_t>(i)] = onMap(new QCPItemRect(p.plot), rect);
    }
    p.spacerRight = new QCPLayoutElement(p.plot);
    p.spacerBelow = new QCPLayoutElement(p.plot);
    p.plot->plotLayout()->addElement(1, kPatternScaleColumn, p.patternScale);
    p.plot->plotLayout()->addElement(1, kDifferenceScaleColumn, p.differenceScale);
    p.plot->plotLayout()->addElement(1, kSpacerColumn, p.spacerRight);
    p.plot->plotLayout()->addElement(2, 0, p.spacerBelow);
    p.navigation = new MapNavigation(p.plot, {p.rects.begin(), p.rects.end()});
    p.navigation->onClick = [this](const MapCell& cell) { select(cell.query, cell.key); };
    arrangeMaps();
    applyPlotTheme(p.plot, Theme::fromPalette(palette()));

    m_ranking->setMaximumWidth(230);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(p.plot, 1);
    layout->addWidget(m_ranking);

    connect(p.plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) { hover(event->position()); });
    connect(p.plot, &QCustomPlot::afterLayout, this, &PatternMapView::balanceMapWidths);
    p.plot->installEventFilter(this);
    if (m_selection)
        connect(m_selection, &SelectionModel::changed, this, [this](SelectionModel::Field field) {
            if (field == SelectionModel::Field::QueryToken)
                showMarks();
        });
    m_resetZoom = new QAction(tr("Reset zoom"), this);
    m_resetZoom->setObjectName(QStringLiteral("resetZoom"));
    m_resetZoom->setToolTip(tr("Show every token (also a double-click on a map)"));
    connect(m_resetZoom, &QAction::triggered, p.navigation, &MapNavigation::reset);
    m_scaleMenu = new QMenu(tr("Colour scale of the patterns"), this);
    auto* scales = new QActionGroup(m_scaleMenu);
    for (const auto& [transform, name] : {std::pair{ColourTransform::Linear, tr("Linear")}, std::pair{ColourTransform::SquareRoot, tr("Square root")},
                                          std::pair{ColourTransform::Log, tr("Logarithmic")}}) {
        QAction* action = m_scaleMenu->addAction(name);
        action->setObjectName(QStringLiteral("colourScale-") + colourTransformKey(transform));
        action->setCheckable(true);
        action->setChecked(transform == m_transform);
        scales->addAction(action);
        connect(action, &QAction::triggered, this, [this, t = transform] { setColourTransform(t); });
    }
    connect(m_ranking, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        if (m_selection)
            m_selection->setMhsaHead(item->data(Qt::UserRole).toInt());
    });
}

PatternMapView::~PatternMapView() = default;

std::array<bool, 3> PatternMapView::shownMaps() const
{
    std::array<bool, 3> shown{};
    for (int map : lorsa::shownMaps(m_mhsaOnly))
        shown[static_cast<size_t>(map)] = true;
    return shown;
}

void PatternMapView::arrangeMaps()
{
    // The grid keeps its columns (Lorsa | MHSA | scale | difference | scale | spacer); a hidden
    // map and its bar leave the layout, their columns get no room (balanceMapWidths). The MHSA
    // map never leaves: QCustomPlot complains when its last axis rect does.
    Plot& p = *m_plot;
    QCPLayoutGrid* layout = p.plot->plotLayout();
    const auto place = [layout](QCPLayoutElement* element, int row, int column, bool shown) {
        element->setVisible(shown);
        if (!shown && element->layout())
            layout->take(element);
        else if (shown && !element->layout())
            layout->addElement(row, column, element);
    };
    const auto shown = shownMaps();
    bool first = true;
    for (size_t i = 0; i < 3; ++i) {
        place(p.titles[i], 0, kMapColumn[i], shown[i]);
        place(p.rects[i], 1, kMapColumn[i], shown[i]);
        if (!shown[i])
            continue;
        p.rects[i]->axis(QCPAxis::atLeft)->setLabel(first ? tr("query") : QString());
        p.rects[i]->axis(QCPAxis::atLeft)->setTickLabels(first);
        first = false;
    }
    place(p.differenceScale, 1, kDifferenceScaleColumn, !m_mhsaOnly);
    layout->setRowStretchFactor(0, 0.01);
    m_ranking->setToolTip(m_mhsaOnly ? tr("The layer's MHSA heads with their induction and previous-token scores; click one to show it")
                                     : tr("MHSA heads ranked by mean Jensen–Shannon distance of their rows to the Lorsa pattern (lower is "
                                          "closer), with each head's induction score"));
}

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
    if (withoutLorsa(m_analysis.get()) != m_mhsaOnly) {
        m_mhsaOnly = !m_mhsaOnly;
        arrangeMaps();
    }
    if (!sameMaps)
        rebuild();
    showMarks();
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
    const int64_t tokens = d ? d->mhsaPattern.rows : 0;
    // The maps follow when their grids are ready (at once up to kMaxCellsPerAxis tokens).
    p.reducer->request(
        tokens,
        [detail = m_detail, mhsaOnly = m_mhsaOnly] {
            const FloatMatrix empty;
            const FloatMatrix& mhsa = detail ? detail->mhsaPattern : empty;
            if (mhsaOnly)
                return std::vector<CellGrid>{CellGrid(), cellGridOf(mhsa, true, QStringLiteral("MHSA pattern")), CellGrid()};
            const FloatMatrix& lorsa = detail ? detail->lorsaPattern : empty;
            return std::vector<CellGrid>{cellGridOf(lorsa, true, QStringLiteral("Lorsa pattern")),
                                         cellGridOf(mhsa, true, QStringLiteral("MHSA pattern")),
                                         differenceGridOf(lorsa, mhsa, true, QStringLiteral("pattern difference"))};
        },
        [this](const std::vector<CellGrid>& grids, const QString& error) { showGrids(grids, error); });
    const int n = static_cast<int>(tokens);
    const bool labelsMatch = labels.size() == n;
    p.navigation->setTokens(n);
    for (size_t i = 0; i < 3; ++i) {
        QCPAxisRect* rect = p.rects[i];
        if (labelsMatch) {
            setTokenTicks(rect->axis(QCPAxis::atBottom), labels);
            setTokenTicks(rect->axis(QCPAxis::atLeft), labels);
        }
    }
    if (d && m_mhsaOnly) {
        const int32_t layer = m_analysis ? m_analysis->session->layer : 0;
        p.titles[1]->setText(tr("MHSA head %1 (layer %2)").arg(d->mhsaHead).arg(layer));
        const auto& scores = m_analysis->session->mhsaHeadScores;
        for (int head = 0; head < static_cast<int>(scores.size()); ++head) {
            const HeadScore& score = scores[static_cast<size_t>(head)];
            auto* item = new QListWidgetItem(tr("MHSA %1   ind %2   prev %3").arg(head, 3).arg(score.induction, 0, 'f', 2)
                                                 .arg(score.previousToken, 0, 'f', 2), m_ranking);
            item->setData(Qt::UserRole, head);
            item->setToolTip(headScoreText(tr("MHSA head %1").arg(head), score));
            item->setSelected(head == d->mhsaHead);
        }
    } else if (d) {
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
    p.grids.clear();
    if (!error.isEmpty() || grids.size() != 3) {
        for (CellColorMap* map : p.maps)
            map->data()->clear();
        p.titles[0]->setText(error);
        showMarks();
        return;
    }
    showCellGrid(p.maps[2], grids[2]);
    p.shownTokens = grids[1].tokens;
    p.grids = grids;
    showPatternColours();
    showMarks();
    const ValueRange& c = grids[2].range;
    const double absMax = std::max({c.valid ? std::abs(c.lower) : 0.0, c.valid ? std::abs(c.upper) : 0.0, 1e-6});
    p.differenceScale->setDataRange(QCPRange(-absMax, absMax));
    p.plot->replot(QCustomPlot::rpQueuedReplot);
}

void PatternMapView::hover(const QPointF& pos)
{
    Plot& p = *m_plot;
    const auto cell = p.navigation->cellAt(pos);
    if (!cell || p.shownTokens == 0 || !m_detail) {
        hideCrosshair();
        return;
    }
    const int key = cell->key, query = cell->query;
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
        : m_mhsaOnly
        ? tr("query %1 <code>%2</code> · key %3 <code>%4</code><br>MHSA %5")
              .arg(query).arg(tokenText(query).toHtmlEscaped()).arg(key).arg(tokenText(key).toHtmlEscaped())
              .arg(m_detail->mhsaPattern.at(query, key), 0, 'g', 6)
        : tr("query %1 <code>%2</code> · key %3 <code>%4</code><br>Lorsa %5<br>MHSA %6<br>difference %7")
              .arg(query).arg(tokenText(query).toHtmlEscaped()).arg(key).arg(tokenText(key).toHtmlEscaped())
              .arg(m_detail->lorsaPattern.at(query, key), 0, 'g', 6).arg(m_detail->mhsaPattern.at(query, key), 0, 'g', 6)
              .arg(m_detail->lorsaPattern.at(query, key) - m_detail->mhsaPattern.at(query, key), 0, 'g', 6);
    QToolTip::showText(p.plot->mapToGlobal(pos.toPoint()) + QPoint(14, 14), text, p.plot);
    p.plot->replot(QCustomPlot::rpQueuedReplot);
}

void PatternMapView::balanceMapWidths()
{
    // Square maps of equal size (the figure's cells are square too), as large as the plot allows:
    // the room is what the maps and the spacers hold now (the colour bars and titles keep their
    // sizes), so the maps grow back with the window. Every row and column then gets its size in
    // pixels as its stretch factor, the spacers taking what the maps leave; the next layout
    // changes nothing, so this settles after one more replot.
    Plot& p = *m_plot;
    QCPLayoutGrid* layout = p.plot->plotLayout();
    const auto shown = shownMaps();
    double width = p.spacerRight->outerRect().width();
    double count = 0;
    for (size_t i = 0; i < 3; ++i)
        if (shown[i]) {
            width += p.rects[i]->outerRect().width() - p.rects[i]->margins().left() - p.rects[i]->margins().right();
            ++count;
        }
    // Top and bottom margins are shared by the maps (margin group), and the MHSA map is always shown.
    const QMargins margins = p.rects[1]->margins();
    const double height = p.rects[1]->outerRect().height() + p.spacerBelow->outerRect().height() - margins.top() - margins.bottom();
    const double side = std::max(1.0, std::floor(std::min(width / count, height)));

    bool changed = false;
    const auto setStretch = [&](Qt::Orientation orientation, int index, double pixels) {
        pixels = std::max(pixels, kSpacerStretch);
        const auto current = orientation == Qt::Horizontal ? layout->columnStretchFactors() : layout->rowStretchFactors();
        if (std::abs(current.value(index) - pixels) > 0.5) {
            if (orientation == Qt::Horizontal)
                layout->setColumnStretchFactor(index, pixels);
            else
                layout->setRowStretchFactor(index, pixels);
            changed = true;
        }
    };
    double spareWidth = width;
    for (size_t i = 0; i < 3; ++i) {
        const QMargins m = p.rects[i]->margins();
        setStretch(Qt::Horizontal, kMapColumn[i], shown[i] ? side + m.left() + m.right() : 0.0);  // an empty column: none
        if (shown[i])
            spareWidth -= side;
    }
    setStretch(Qt::Horizontal, kPatternScaleColumn, 0.01);  // the bars keep their minimum widths
    setStretch(Qt::Horizontal, kDifferenceScaleColumn, 0.01);
    setStretch(Qt::Horizontal, kSpacerColumn, spareWidth);
    setStretch(Qt::Vertical, 1, side + margins.top() + margins.bottom());
    setStretch(Qt::Vertical, 2, height - side);
    // The token ticks are thinned for the map's size before the layout: one more replot once
    // the size has settled gives ticks for the size shown.
    if (p.rects[1]->rect().size() != p.tickedMapSize) {
        p.tickedMapSize = p.rects[1]->rect().size();
        changed = true;
    }
    if (changed)
        p.plot->replot(QCustomPlot::rpQueuedReplot);
}

void PatternMapView::hideCrosshair()
{
    for (QCPItemStraightLine* line : m_plot->crosshair)
        line->setVisible(false);
    QToolTip::hideText();
    m_plot->plot->replot(QCustomPlot::rpQueuedReplot);
}

bool PatternMapView::crosshairVisible() const
{
    return m_plot->crosshair[0]->visible();
}

bool PatternMapView::eventFilter(QObject* watched, QEvent* event)
{
    // The crosshair and its tooltip describe the cell under the mouse: none once it has left.
    if (watched == m_plot->plot && event->type() == QEvent::Leave)
        hideCrosshair();
    return QWidget::eventFilter(watched, event);
}

void PatternMapView::select(int query, int key)
{
    m_markedCell = {query, key};
    if (m_selection)
        m_selection->setQueryToken(query);
    showMarks();
}

void PatternMapView::showMarks()
{
    Plot& p = *m_plot;
    const int n = static_cast<int>(p.shownTokens);
    const int query = m_selection ? m_selection->queryToken() : -1;
    const bool row = query >= 0 && query < n;
    // The key stays marked only while its query is the selected one.
    const int key = m_markedCell.x() == query ? m_markedCell.y() : -1;
    const QColor colour = Theme::fromPalette(palette()).highlight;
    for (size_t i = 0; i < 3; ++i) {
        // The row up to the diagonal: the keys a causal query sees.
        p.queryRow[i]->topLeft->setCoords(-0.5, query - 0.5);
        p.queryRow[i]->bottomRight->setCoords(query + 0.5, query + 0.5);
        p.queryRow[i]->setPen(QPen(colour, 1.5));
        p.queryRow[i]->setVisible(row);
        p.keyCell[i]->topLeft->setCoords(key - 0.5, query - 0.5);
        p.keyCell[i]->bottomRight->setCoords(key + 0.5, query + 0.5);
        p.keyCell[i]->setPen(QPen(colour, 3));
        p.keyCell[i]->setVisible(row && key >= 0 && key <= query);
    }
    p.plot->replot(QCustomPlot::rpQueuedReplot);
}

int PatternMapView::markedKey() const
{
    return m_plot->keyCell[0]->visible() ? m_markedCell.y() : -1;
}

void PatternMapView::setColourTransform(ColourTransform transform)
{
    m_transform = transform;
    for (QAction* action : m_scaleMenu->actions())
        action->setChecked(action->objectName() == QStringLiteral("colourScale-") + colourTransformKey(transform));
    showPatternColours();
}

void PatternMapView::showPatternColours()
{
    Plot& p = *m_plot;
    if (p.grids.size() != 3)
        return;
    // The maps hold positions along the colour map, so that one gradient serves every
    // transform; the bar's ticks are placed where their values' colours are.
    const auto [lower, upper] = attentionRange(p.grids[0], p.grids[1], 0, FigureStyle());
    for (size_t i = 0; i < 2; ++i) {
        CellGrid shown = p.grids[i];
        for (float& z : shown.values)
            z = static_cast<float>(transformedUnit(m_transform, z, lower, upper));
        showCellGrid(p.maps[i], shown);
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (const ColourTick& tick : colourBarTicks(m_transform, lower, upper))
        ticker->addTick(tick.position, tick.label);
    p.patternScale->axis()->setTicker(ticker);
    p.patternScale->axis()->setLabel(attentionCaption(m_transform));
    p.patternScale->setDataRange(QCPRange(0, 1));
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
    showExportMenu(this, *this, event->globalPos(), {m_resetZoom, m_scaleMenu->menuAction()});
}

} // namespace lorsa
