#pragma once
// The selected Lorsa head's card on the current prompt: the atlas's head card (HeadCardFigure)
// filled from the live result, so that the window, `lorsa figure --view head-card` (without --atlas) and the atlas
// show a head alike. Its QK head and scores, the closest MHSA head on this prompt, the tokens it
// promotes and suppresses (logit effects), and the prompt as one strip shaded by the head's
// activation at every token, the selected query outlined, the z band under the keys it read.

#include "widgets/analysis_view.h"
#include "widgets/head_card_figure.h"

#include <QWidget>

namespace lorsa {

/// The card of \p detail's head on \p analysis's prompt (no histogram: one prompt is too few
/// tokens for one). Frequency and mean are over the tokens after the first.
HeadCardData liveHeadCardData(const PromptAnalysis& analysis, const HeadDetail& detail);

class LiveHeadCard : public QWidget, public AnalysisView {
    Q_OBJECT
public:
    explicit LiveHeadCard(QWidget* parent = nullptr);

    void setResult(const ExplorerResultPtr& result) override;
    QWidget* widget() override { return this; }

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

    double figureHeight(double width) const override;
    void renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme) override;
    DataTable figureData() const override;
    QString figureName() const override { return QStringLiteral("head-card"); }

protected:
    void paintEvent(QPaintEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    ExplorerResultPtr m_result;
    std::unique_ptr<HeadCardFigure> m_card;  // null until a head detail arrives
};

} // namespace lorsa
