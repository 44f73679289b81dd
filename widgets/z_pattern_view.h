#pragma once
// Where the selected head's activation at the selected query comes from: a bar per key token of
// the contribution A[q,k]·v[k] (HeadDetail::zPattern row q; red positive, blue negative), and
// the same contributions for every query as a query x key map with a diverging scale.

#include "model/engine/analysis.h"
#include "widgets/analysis_view.h"
#include "widgets/pattern_map.h"

#include <QPointer>
#include <QWidget>

class QCustomPlot;

namespace lorsa {

class SelectionModel;

class ZPatternView : public QWidget, public AnalysisView {
    Q_OBJECT
public:
    explicit ZPatternView(SelectionModel* selection, QWidget* parent = nullptr);
    ~ZPatternView() override;

    void setResult(const ExplorerResultPtr& result) override;
    QWidget* widget() override { return this; }
    QCustomPlot* plot() const;

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
    int query() const;

    QPointer<SelectionModel> m_selection;
    PromptAnalysisPtr m_analysis;
    HeadDetailPtr m_detail;
    std::unique_ptr<Plot> m_plot;
};

} // namespace lorsa
