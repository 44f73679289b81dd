#pragma once
// How faithful the Lorsa layer is on this prompt: FVU, mean L0, clean vs spliced loss, and the
// per-token reconstruction error as a line plot.

#include "model/engine/analysis.h"
#include "widgets/analysis_view.h"

#include <QWidget>

class QCustomPlot;
class QLabel;

namespace lorsa {

class FidelityPanel : public QWidget, public AnalysisView {
    Q_OBJECT
public:
    explicit FidelityPanel(QWidget* parent = nullptr);

    void setResult(const ExplorerResultPtr& result) override;
    QWidget* widget() override { return this; }
    QCustomPlot* plot() const { return m_plot; }
    /// The numbers line, e.g. "FVU 0.123 · mean L0 12.5 · loss 3.21 → 3.35 (+0.14 nats)".
    QString summary() const;
    /// Shown under the numbers when the FVU is above 1 (the Lorsa explains this prompt's
    /// attention output worse than its mean would: likely another model or layer); else empty.
    QString warning() const;

    double figureHeight(double width) const override;
    void renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme) override;
    DataTable figureData() const override;
    QString figureName() const override { return QStringLiteral("fidelity"); }

protected:
    void changeEvent(QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    void rebuild();

    PromptAnalysisPtr m_analysis;
    QLabel* m_numbers;
    QLabel* m_warning;
    QCustomPlot* m_plot;
};

} // namespace lorsa
