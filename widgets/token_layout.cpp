#include "widgets/token_layout.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

namespace lorsa {

QString displayToken(const std::string& utf8)
{
    // fromUtf8 already turns invalid sequences into U+FFFD.
    const QString text = QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size()));
    if (text.isEmpty())
        return QStringLiteral("\u2205");
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        if (c == QLatin1Char(' '))
            out += QChar(0x2423);
        else if (c == QLatin1Char('\n'))
            out += QChar(0x21B5);
        else if (c == QLatin1Char('\t'))
            out += QChar(0x2192);
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Other_Format)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

bool isWhitespaceGlyph(QChar c)
{
    return c.unicode() == 0x2423 || c.unicode() == 0x21B5 || c.unicode() == 0x2192;
}

TokenLayout::TokenLayout(const QVector<QString>& texts, const QFont& font, double width) : m_width(width)
{
    const QFontMetricsF metrics(font);
    m_lineHeight = std::ceil(metrics.height()) + 2 * kPaddingY;
    const double maxBox = std::max(width - 2 * kMargin, 8.0);
    m_boxes.reserve(static_cast<size_t>(texts.size()));
    m_lineOfToken.reserve(static_cast<size_t>(texts.size()));
    double x = kMargin;
    double y = kMargin;
    int line = 0;
    bool lineOpen = false;
    for (int i = 0; i < texts.size(); ++i) {
        const double w = std::min(std::ceil(metrics.horizontalAdvance(texts[i])) + 2 * kPaddingX, maxBox);
        if (lineOpen && x + w > width - kMargin) {
            ++line;
            x = kMargin;
            y += m_lineHeight + kGapY;
            lineOpen = false;
        }
        if (!lineOpen) {
            m_lineFirst.push_back(i);
            lineOpen = true;
        }
        m_boxes.emplace_back(x, y, w, m_lineHeight);
        m_lineOfToken.push_back(line);
        x += w + kGapX;
        // A newline token ends its line; the glyph marks where the break was.
        if (texts[i].contains(QChar(0x21B5))) {
            ++line;
            x = kMargin;
            y += m_lineHeight + kGapY;
            lineOpen = false;
        }
    }
}

int TokenLayout::lineEnd(int line) const
{
    return line + 1 < lineCount() ? m_lineFirst[static_cast<size_t>(line + 1)] : tokenCount();
}

double TokenLayout::height() const
{
    if (m_boxes.empty())
        return 2 * kMargin;
    return m_boxes.back().bottom() + kMargin;
}

std::pair<int, int> TokenLayout::linesIn(double top, double bottom) const
{
    if (m_lineFirst.empty())
        return {0, 0};
    // Every line holds at least one token, so a line's top is the top of its first box.
    const auto topOf = [this](int token, double value) { return m_boxes[static_cast<size_t>(token)].top() < value; };
    const auto lower = std::lower_bound(m_lineFirst.begin(), m_lineFirst.end(), top - m_lineHeight, topOf);
    const auto upper = std::lower_bound(lower, m_lineFirst.end(), bottom, topOf);
    return {static_cast<int>(lower - m_lineFirst.begin()), static_cast<int>(upper - m_lineFirst.begin())};
}

int TokenLayout::tokenAt(const QPointF& point) const
{
    const auto [first, end] = linesIn(point.y(), point.y() + 1);
    for (int line = first; line < end; ++line) {
        const int lineBegin = lineFirst(line);
        const int lineLast = lineEnd(line);
        const auto it = std::upper_bound(m_boxes.begin() + lineBegin, m_boxes.begin() + lineLast, point.x(),
            [](double x, const QRectF& box) { return x < box.left(); });
        if (it == m_boxes.begin() + lineBegin)
            continue;
        const QRectF& box = *(it - 1);
        if (box.contains(point))
            return static_cast<int>(it - 1 - m_boxes.begin());
    }
    return -1;
}

} // namespace lorsa
