#pragma once
// Lorsa QK pattern of the selected head, an MHSA head's pattern and their difference as three
// query x key colour maps side by side (patterns share one sequential scale, the difference has a
// diverging one), with a linked hover crosshair, and the MHSA heads ranked by similarity to the
// Lorsa pattern (HeadDetail::mhsaSimilarity: mean Jensen-Shannon distance of the rows, lower is
// closer). Clicking a ranked head shows it.

#include "model/engine/analysis.h"
#include "widgets/analysis_view.h"
#include "widgets/pattern_map.h"

#include <QPointer>
#include <QWidget>

class QCustomPlot;
class QListWidget;

namespace lorsa {

class SelectionModel;

class PatternMapView : public QWidget, public AnalysisView {
    Q_OBJECT
public:
    explicit PatternMapView(SelectionModel* selection, QWidget* parent = nullptr);
    ~PatternMapView() override;

    void setResult(const ExplorerResultPtr& result) override;
    QWidget* widget() override { return this; }

    QCustomPlot* plot() const;
    QListWidget* mhsaRanking() const { return m_ranking; }

    double figureHeight(double width) const override;
    void renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme) override;
    DataTable figureData() const override;
    QString figureName() const override { return QStringLiteral("pattern-maps"); }

protected:
    void changeEvent(QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    struct Plot;
    void rebuild();
    /// The three maps' grids (Lorsa, MHSA, difference) once reduced, or why they could not be.
    void showGrids(const std::vector<CellGrid>& grids, const QString& error);
    void hover(const QPointF& pos);

    QPointer<SelectionModel> m_selection;
    PromptAnalysisPtr m_analysis;
    HeadDetailPtr m_detail;
    std::unique_ptr<Plot> m_plot;
    QListWidget* m_ranking;
};

} // namespace lorsa
