#pragma once
// The prompt as a wrapping flow of token boxes coloured by the selected quantity. Custom painted
// from a cached TokenLayout (only visible lines are painted), so 2,048 tokens scroll smoothly.
// Hover shows the token id, text and exact value; a click selects the query token.

#include "model/engine/analysis.h"
#include "widgets/colour_scale.h"
#include "widgets/analysis_view.h"
#include "widgets/token_layout.h"

#include <QAbstractScrollArea>
#include <QPointer>

#include <optional>

namespace lorsa {

class ColourLegend;
class SelectionModel;
enum class HeatmapQuantity;

class TokenHeatmapView : public QAbstractScrollArea, public AnalysisView {
    Q_OBJECT
public:
    explicit TokenHeatmapView(SelectionModel* selection, QWidget* parent = nullptr);

    void setResult(const ExplorerResultPtr& result) override;
    QWidget* widget() override { return this; }
    /// Without a Lorsa the prompt's tokens are still worth seeing.
    bool needsLorsa() const override { return false; }

    /// The value colouring each token (T); NaN where it is undefined (keys after the query).
    const std::vector<double>& values() const { return m_values; }
    const ColourScale& scale() const { return m_scale; }
    QString quantityCaption() const;
    /// Layout for the current viewport width.
    const TokenLayout& tokenLayout();
    /// The token under \p viewportPos (viewport coordinates), or -1.
    int tokenAtViewport(const QPoint& viewportPos);

    double figureHeight(double width) const override;
    void renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme) override;
    DataTable figureData() const override;
    QString figureName() const override { return QStringLiteral("token-heatmap"); }

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    /// The selection's quantity; without a Lorsa always the MHSA head's attention.
    HeatmapQuantity shownQuantity() const;
    /// The number of active heads when it is the same at every token after the first (top-k).
    std::optional<int> constantActiveCount() const;
    void recompute();
    void relayout();
    void paintLines(QPainter& painter, const TokenLayout& layout, int firstLine, int endLine, const Theme& theme) const;
    QString tooltipFor(int token) const;

    QPointer<SelectionModel> m_selection;
    PromptAnalysisPtr m_analysis;
    HeadDetailPtr m_detail;
    QVector<QString> m_texts;       // (T) display texts
    std::vector<double> m_values;   // (T)
    ColourScale m_scale = ColourScale::sequential(0, 1);
    TokenLayout m_layout;
    int m_layoutWidth = -1;
    ColourLegend* m_legend;
};

} // namespace lorsa
