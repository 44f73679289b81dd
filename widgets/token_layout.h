#pragma once
// Lays the prompt's tokens out as wrapping lines of boxes, once per width, so that painting and
// hit-testing a 2,048-token prompt only touch the visible rows. Whitespace is shown with quiet
// glyphs (space -> U+2423, newline -> U+21B5, tab -> U+2192) and a token containing a newline
// ends its line.

#include <QFont>
#include <QRectF>
#include <QString>
#include <QVector>

#include <string>
#include <vector>

namespace lorsa {

/// The on-screen text of a token: whitespace as visible glyphs, other control characters as
/// \xNN, invalid UTF-8 as U+FFFD, an empty token as U+2205.
QString displayToken(const std::string& utf8);
/// True for the glyphs displayToken substitutes for whitespace (painted faintly).
bool isWhitespaceGlyph(QChar c);

class TokenLayout {
public:
    static constexpr double kPaddingX = 3;   ///< inside a box, left and right
    static constexpr double kPaddingY = 2;
    static constexpr double kGapX = 2;       ///< between boxes
    static constexpr double kGapY = 3;       ///< between lines
    static constexpr double kMargin = 4;     ///< around everything

    TokenLayout() = default;
    /// Lays out \p texts (already display text) in \p font for a line width of \p width.
    TokenLayout(const QVector<QString>& texts, const QFont& font, double width);

    int tokenCount() const { return static_cast<int>(m_boxes.size()); }
    int lineCount() const { return static_cast<int>(m_lineFirst.size()); }
    const QRectF& box(int token) const { return m_boxes[static_cast<size_t>(token)]; }
    int lineOf(int token) const { return m_lineOfToken[static_cast<size_t>(token)]; }
    /// The tokens [first, last) of line \p line.
    int lineFirst(int line) const { return m_lineFirst[static_cast<size_t>(line)]; }
    int lineEnd(int line) const;
    double lineHeight() const { return m_lineHeight; }
    double height() const;
    double width() const { return m_width; }
    /// Lines touching the vertical span [top, bottom): [firstLine, endLine).
    std::pair<int, int> linesIn(double top, double bottom) const;
    /// The token whose box contains \p point, or -1.
    int tokenAt(const QPointF& point) const;

private:
    double m_width = 0;
    double m_lineHeight = 0;
    std::vector<QRectF> m_boxes;       // (T)
    std::vector<int> m_lineOfToken;    // (T)
    std::vector<int> m_lineFirst;      // (lines) first token of each line
};

} // namespace lorsa
