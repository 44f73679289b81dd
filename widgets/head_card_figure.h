#pragma once
// A Lorsa head's card as a figure for a paper (`lorsa figure --atlas ... --view head-card`): a
// title, its QK head's scores and closest MHSA head, the tokens it promotes and suppresses with
// their logit effects, its contexts as token strips shaded by the head's activation with the peak
// outlined and the z-pattern drawn under the key tokens, then the histogram of its activations
// (log-scaled counts). The atlas's top contexts and the live prompt (LiveHeadCard) both fill it.
// Not a widget: a FigureSource that FigureExporter writes as PNG, SVG or PDF.

#include "model/atlas/atlas_types.h"
#include "widgets/figure_source.h"

#include <vector>

namespace lorsa {

struct HeadCardData {
    AtlasHead head;
    std::vector<AtlasContext> contexts;  ///< best first
    QString title;                       ///< e.g. the Lorsa's name
    QStringList captions;                ///< above each context; empty: contextCaption
    bool histogram = true;               ///< head.histogramCounts below the contexts
};

/// The lines under the title: QK head scores and closest MHSA head, promoted and suppressed
/// tokens with their logit effects (only those the head has).
QStringList headCardFacts(const AtlasHead& head);

/// "#rank activation (document, start, peak at position)": what names a context above its strip.
QString contextCaption(const AtlasContext& context);

class HeadCardFigure : public FigureSource {
public:
    /// Contexts shown (the best ones).
    static constexpr int kMaxContexts = 8;

    explicit HeadCardFigure(HeadCardData data);

    double figureHeight(double width) const override;
    void renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme) override;
    DataTable figureData() const override;
    QString figureName() const override { return QStringLiteral("head-card"); }

private:
    /// Height of the title and the facts under it.
    double headerHeight() const;
    /// Height of context \p index's strip at \p width.
    double stripHeight(size_t index, double width) const;
    int shownContexts() const;

    HeadCardData m_data;
};

} // namespace lorsa
