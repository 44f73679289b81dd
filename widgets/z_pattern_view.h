#pragma once
// Where the selected head's activation at the selected query comes from: a bar per key token of
// the contribution A[q,k]·v[k] (HeadDetail::zPattern row q; red positive, blue negative; the
// large ones labelled with their token), the same contributions for every query as a query x key
// map with a diverging scale (by default spanning the selected query's row, which is outlined),
// and the keys ranked by contribution. Hovering a bar or a cell shows its value.

#include "model/engine/analysis.h"
#include "widgets/analysis_view.h"
#include "widgets/pattern_map.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QCustomPlot;

namespace lorsa {

class ContributionTable;
class SelectionModel;

class ZPatternView : public QWidget, public AnalysisView {
    Q_OBJECT
public:
    explicit ZPatternView(SelectionModel* selection, QWidget* parent = nullptr);
    ~ZPatternView() override;

    void setResult(const ExplorerResultPtr& result) override;
    QWidget* widget() override { return this; }
    QCustomPlot* plot() const;
    ContributionTable* ranking() const { return m_ranking; }

    /// Whether the map's colour scale spans the selected query's row (the default) rather than
    /// the whole map: a row's contributions are often far smaller than the BOS column's peak.
    bool rowColourScale() const;
    void setRowColourScale(bool row);
    /// The map's colour scale runs from -colourRange() to +colourRange().
    double colourRange() const;
    /// The keys whose bars carry their token, ascending.
    const std::vector<int>& labelledKeys() const { return m_labelled; }
    /// What hovering \p pos (plot pixels) shows: a bar's or a map cell's value; empty elsewhere.
    QString hoverText(const QPointF& pos) const;

    double figureHeight(double width) const override;
    void renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme) override;
    DataTable figureData() const override;
    QString figureName() const override { return QStringLiteral("z-pattern"); }

protected:
    void changeEvent(QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    struct Plot;
    /// The map, its axes and then the bars.
    void rebuild();
    /// The bars of the selected query and the title.
    void rebuildBars();
    /// The map's grid once reduced, or why it could not be.
    void showGrid(const std::vector<CellGrid>& grids, const QString& error);
    /// The map's colour range and the outline of the selected row.
    void updateColourScale();
    /// Token labels over the large bars of the selected query (again when a key's width changed).
    void placeLabels();
    const FloatMatrix& zPattern() const;
    QString tokenText(int position) const;
    int query() const;

    QPointer<SelectionModel> m_selection;
    PromptAnalysisPtr m_analysis;
    HeadDetailPtr m_detail;
    std::unique_ptr<Plot> m_plot;
    ContributionTable* m_ranking;
    QCheckBox* m_rowScale;
    double m_mapAbsMax = 1.0;           // over the whole map, from the reduced grid
    std::vector<int> m_labelled;
};

} // namespace lorsa
