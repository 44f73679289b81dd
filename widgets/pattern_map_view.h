#pragma once
// Lorsa QK pattern of the selected head, an MHSA head's pattern and their difference as three
// query x key colour maps side by side (patterns share one sequential scale, the difference has a
// diverging one), with a linked hover crosshair, and the MHSA heads ranked by similarity to the
// Lorsa pattern (HeadDetail::mhsaSimilarity: mean Jensen-Shannon distance of the rows, lower is
// closer). Clicking a ranked head shows it. The maps zoom and pan together (wheel, drag; reset by a
// double-click or the context menu); a click on a cell selects its query and marks its key; the
// selected query's row is outlined. The attention maps' colour scale (linear, square root, log)
// is chosen in the context menu and used by exported figures too. Without a Lorsa (model-only)
// the selected MHSA head's map is shown alone, and the list holds the layer's heads with scores.

#include "model/engine/analysis.h"
#include "widgets/analysis_view.h"
#include "widgets/colour_transform.h"
#include "widgets/pattern_figure.h"
#include "widgets/pattern_map.h"

#include <QPoint>
#include <QPointer>
#include <QWidget>

#include <array>

class QCustomPlot;
class QAction;
class QListWidget;
class QMenu;

namespace lorsa {

class SelectionModel;

class PatternMapView : public QWidget, public AnalysisView {
    Q_OBJECT
public:
    explicit PatternMapView(SelectionModel* selection, QWidget* parent = nullptr);
    ~PatternMapView() override;

    void setResult(const ExplorerResultPtr& result) override;
    QWidget* widget() override { return this; }
    /// Without a Lorsa it shows the model's own attention.
    bool needsLorsa() const override { return false; }

    QCustomPlot* plot() const;
    QListWidget* mhsaRanking() const { return m_ranking; }
    bool crosshairVisible() const;
    /// The key marked by a click on the selected query's row, or -1.
    int markedKey() const;
    ColourTransform colourTransform() const { return m_transform; }
    void setColourTransform(ColourTransform transform);

    double figureHeight(double width) const override;
    void renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme) override;
    DataTable figureData() const override;
    QString figureName() const override { return QStringLiteral("pattern-maps"); }
    bool takesFigureStyle() const override { return true; }
    double styledFigureHeight(double width, const FigureStyle& style) const override;
    void renderStyledFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme, const FigureStyle& style) override;
    /// What the figure draws: the grids the maps show, the tokens, the titles, the colour transform.
    PatternFigure figure() const;

protected:
    void changeEvent(QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Plot;
    /// Whether each map (Lorsa, MHSA, difference) is shown (lorsa::shownMaps).
    std::array<bool, 3> shownMaps() const;
    /// Puts the shown maps and colour bars into the plot's layout: all three with a Lorsa, the
    /// MHSA map alone without one.
    void arrangeMaps();
    void rebuild();
    /// The three maps' grids (Lorsa, MHSA, difference) once reduced, or why they could not be.
    void showGrids(const std::vector<CellGrid>& grids, const QString& error);
    void hover(const QPointF& pos);
    void hideCrosshair();
    /// Gives the maps equal widths although only the first has query labels, and makes them
    /// square (as large as the plot allows).
    void balanceMapWidths();
    /// A click on cell (query, key): the query becomes the selection's, the key is marked.
    void select(int query, int key);
    /// Outlines the selected query's row and the marked key's cell.
    void showMarks();
    /// Fills the two attention maps and their colour bar for m_transform.
    void showPatternColours();

    QPointer<SelectionModel> m_selection;
    PromptAnalysisPtr m_analysis;
    HeadDetailPtr m_detail;
    std::unique_ptr<Plot> m_plot;
    QListWidget* m_ranking;
    ColourTransform m_transform = ColourTransform::Linear;
    bool m_mhsaOnly = false;  // no Lorsa: the MHSA map alone, its heads listed with their scores
    QPoint m_markedCell{-1, -1};  // (query, key) last clicked
    QAction* m_resetZoom = nullptr;
    QMenu* m_scaleMenu = nullptr;
};

} // namespace lorsa
