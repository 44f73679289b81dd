#pragma once
// One atlas context drawn as a strip of token boxes: each token shaded by the head's activation,
// the peak outlined, and under the keys a band coloured by the z-pattern (what each key
// contributed to the activation at the peak). The head page and the head card figure both paint
// contexts through it, so the window and the paper figure look alike.

#include "model/atlas/atlas_types.h"
#include "widgets/colour_scale.h"
#include "widgets/theme.h"
#include "widgets/token_layout.h"

class QPainter;

namespace lorsa {

class ContextStrip {
public:
    static constexpr double kZBandHeight = 4;

    /// Lays \p context out in \p font for \p width logical pixels.
    ContextStrip(const AtlasContext& context, const QFont& font, double width);

    /// The boxes and the z band under the last line.
    double height() const { return m_layout.height() + kZBandHeight; }
    const TokenLayout& layout() const { return m_layout; }
    /// The token at \p point (relative to the strip's top left), or -1.
    int tokenAt(const QPointF& point) const { return m_layout.tokenAt(point); }

    /// Paints at \p origin: activations on \p activationScale (zero and below: the background),
    /// the z band on zScale() when \p showZ.
    void paint(QPainter& painter, const QPointF& origin, const ColourScale& activationScale, const Theme& theme, bool showZ) const;
    /// The paper's view of one activation: each key token shaded by its contribution at the peak
    /// (zScale()), the tokens after the peak faint.
    void paintZPattern(QPainter& painter, const QPointF& origin, const Theme& theme) const;
    /// Diverging over the context's own largest |z|.
    ColourScale zScale() const;

private:
    /// Fills and labels token \p t's box with \p fill (null: no fill, theme text colour).
    void paintToken(QPainter& painter, const QRectF& box, int t, const QColor& fill, const Theme& theme) const;

    const AtlasContext& m_context;
    QFont m_font;
    QVector<QString> m_texts;
    TokenLayout m_layout;
};

} // namespace lorsa
