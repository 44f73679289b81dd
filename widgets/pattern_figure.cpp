#include "widgets/pattern_figure.h"

#include "widgets/colour_scale.h"
#include "widgets/figure_exporter.h"
#include "widgets/label_thinning.h"

#include <QFontMetricsF>
#include <QImage>
#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <map>

namespace lorsa {
namespace {

constexpr double kMargin = 4;
constexpr double kTick = 3;
constexpr double kBarGap = 8;  // between the key axis name and the colour bars

// Text is measured at the 96 logical DPI that every figure device is painted at (image, SVG,
// PDF), so that the layout does not depend on the screen.
const QPaintDevice* metricsDevice()
{
    static const QImage device = [] {
        QImage image(1, 1, QImage::Format_ARGB32);
        const int dpm = static_cast<int>(std::lround(FigureExporter::kLogicalDpi / 0.0254));
        image.setDotsPerMeterX(dpm);
        image.setDotsPerMeterY(dpm);
        return image;
    }();
    return &device;
}

QFontMetricsF metrics(const QFont& font)
{
    return QFontMetricsF(font, metricsDevice());
}

double widestLabel(const QStringList& tokens, const QFontMetricsF& m)
{
    double widest = 0;
    for (const QString& token : tokens)
        widest = std::max(widest, m.horizontalAdvance(tokenAxisLabel(token)));
    return widest;
}

double differenceAbsMax(const PatternFigure& figure)
{
    const ValueRange& r = figure.grids[2].range;
    return std::max({r.valid ? std::abs(r.lower) : 0.0, r.valid ? std::abs(r.upper) : 0.0, 1e-6});
}

/// Colour of value \p z of map \p map.
class MapColours {
public:
    MapColours(const PatternFigure& figure, int map, const FigureStyle& style) : m_map(map), m_transform(figure.transform)
    {
        if (map < 2)
            std::tie(m_lower, m_upper) = attentionRange(figure.grids[0], figure.grids[1], map, style);
        else
            m_upper = differenceAbsMax(figure);
    }
    /// In 256 levels, as on screen: indistinguishable from continuous colours, and vector files
    /// get one fill per level rather than one per cell.
    QColor operator()(float z) const
    {
        const bool difference = m_map == 2;
        const double t = difference ? (z + m_upper) / (2 * m_upper) : transformedUnit(m_transform, z, m_lower, m_upper);
        return ColourScale::colourAtUnit(difference ? ColourScale::Kind::Diverging : ColourScale::Kind::Sequential, std::round(t * 255) / 255);
    }

private:
    int m_map;
    ColourTransform m_transform;
    double m_lower = 0;
    double m_upper = 1;
};

void paintCells(QPainter& painter, const QRectF& map, const CellGrid& grid, const MapColours& colour)
{
    if (grid.tokens <= 0 || grid.cells <= 0)
        return;
    const double cellPx = map.width() / grid.tokens * grid.block;
    painter.save();
    painter.setClipRect(map);
    if (grid.tokens <= kMaxVectorTokens) {
        // Vector cells; no antialiasing and a hair of overlap, so viewers show no seams. One path
        // per colour (SVG and PDF writers emit a group with the full painter state per fill), one
        // rectangle per run of equal colours along a row.
        std::map<QRgb, QPainterPath> cells;
        for (int q = 0; q < grid.cells; ++q) {
            const float* row = grid.values.data() + static_cast<size_t>(q) * static_cast<size_t>(grid.cells);
            for (int k = 0; k < grid.cells;) {
                if (std::isnan(row[k])) {
                    ++k;
                    continue;
                }
                const QRgb rgba = colour(row[k]).rgba();
                int end = k + 1;
                while (end < grid.cells && !std::isnan(row[end]) && colour(row[end]).rgba() == rgba)
                    ++end;
                QPainterPath& path = cells[rgba];
                path.setFillRule(Qt::WindingFill);  // the overlaps stay filled
                path.addRect(QRectF(map.left() + k * cellPx, map.top() + q * cellPx, (end - k) * cellPx + 0.25, cellPx + 0.25));
                k = end;
            }
        }
        painter.setRenderHint(QPainter::Antialiasing, false);
        for (const auto& [rgba, path] : cells)
            painter.fillPath(path, QColor::fromRgba(rgba));
    } else {
        QImage image(grid.cells, grid.cells, QImage::Format_ARGB32);
        image.fill(Qt::transparent);
        for (int q = 0; q < grid.cells; ++q) {
            auto* line = reinterpret_cast<QRgb*>(image.scanLine(q));
            for (int k = 0; k < grid.cells; ++k)
                if (const float z = grid.values[static_cast<size_t>(q) * static_cast<size_t>(grid.cells) + static_cast<size_t>(k)]; !std::isnan(z))
                    line[k] = colour(z).rgba();
        }
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
        painter.drawImage(QRectF(map.topLeft(), QSizeF(grid.cells * cellPx, grid.cells * cellPx)), image);
    }
    painter.restore();
}

/// The token labels of a map: keys below it (rotated), queries to its left.
void paintLabels(QPainter& painter, const QRectF& map, const QStringList& tokens, int step, bool keys, const Theme& theme)
{
    const int n = static_cast<int>(tokens.size());
    if (n == 0)
        return;
    const double tokenPx = map.width() / n;
    const QFontMetricsF m = metrics(painter.font());
    const double extent = widestLabel(tokens, m);
    for (int t : labelledTokens(0, n - 1, step)) {
        const QString label = tokenAxisLabel(tokens[t]);
        const double centre = (keys ? map.left() : map.top()) + (t + 0.5) * tokenPx;
        painter.setPen(QPen(theme.foreground, 0.5));
        if (keys) {
            painter.drawLine(QPointF(centre, map.bottom()), QPointF(centre, map.bottom() + kTick));
            painter.save();
            painter.translate(centre, map.bottom() + kTick + 1);
            painter.rotate(-90);  // reads upwards, ending next to the map
            painter.drawText(QRectF(-extent, -m.height() / 2, extent, m.height()), Qt::AlignRight | Qt::AlignVCenter, label);
            painter.restore();
        } else {
            painter.drawLine(QPointF(map.left() - kTick, centre), QPointF(map.left(), centre));
            painter.drawText(QRectF(map.left() - kTick - 1 - extent, centre - m.height() / 2, extent, m.height()), Qt::AlignRight | Qt::AlignVCenter, label);
        }
    }
}

void paintBar(QPainter& painter, const QRectF& bar, ColourScale::Kind kind, const std::vector<ColourTick>& ticks, const QString& caption, const Theme& theme)
{
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    constexpr int kStops = 32;
    for (int i = 0; i <= kStops; ++i) {
        const double t = static_cast<double>(i) / kStops;
        gradient.setColorAt(t, ColourScale::colourAtUnit(kind, t));
    }
    painter.fillRect(bar, gradient);
    painter.setPen(QPen(theme.foreground, 0.5));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bar);
    const QFontMetricsF m = metrics(painter.font());
    auto x = [&bar](const ColourTick& tick) { return bar.left() + tick.position * bar.width(); };
    // Every stride-th label, the smallest stride at which none overlaps its neighbour (evenly
    // thinned, so a diverging bar keeps its symmetry).
    const size_t count = ticks.size();
    auto fits = [&](size_t stride) {
        for (size_t i = stride; i < count; i += stride)
            if (x(ticks[i]) - x(ticks[i - stride]) < (m.horizontalAdvance(ticks[i].label) + m.horizontalAdvance(ticks[i - stride].label)) / 2 + 4)
                return false;
        return true;
    };
    size_t stride = 1;
    while (stride < count && !fits(stride))
        ++stride;
    for (size_t i = 0; i < count; ++i) {
        painter.drawLine(QPointF(x(ticks[i]), bar.bottom()), QPointF(x(ticks[i]), bar.bottom() + 2));
        if (i % stride == 0) {
            const double w = m.horizontalAdvance(ticks[i].label);
            painter.drawText(QRectF(x(ticks[i]) - w / 2 - 1, bar.bottom() + 2, w + 2, m.height()), Qt::AlignCenter, ticks[i].label);
        }
    }
    painter.drawText(QRectF(bar.left() - bar.width(), bar.bottom() + 2 + m.height(), 3 * bar.width(), m.height()), Qt::AlignHCenter | Qt::AlignTop, caption);
}

} // namespace

std::vector<int> shownMaps(bool mhsaOnly)
{
    return mhsaOnly ? std::vector<int>{1} : std::vector<int>{0, 1, 2};
}

QFont figureFont(double pointSize)
{
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPointSizeF(pointSize);
    return font;
}

QString attentionCaption(ColourTransform transform)
{
    switch (transform) {
    case ColourTransform::SquareRoot:
        return QObject::tr("attention (square-root scale)");
    case ColourTransform::Log:
        return QObject::tr("attention (log scale)");
    case ColourTransform::Linear:
        break;
    }
    return QObject::tr("attention");
}

std::pair<double, double> attentionRange(const CellGrid& lorsa, const CellGrid& mhsa, int map, const FigureStyle& style)
{
    auto upperOf = [&](int i) {
        const ValueRange& r = (i == 0 ? lorsa : mhsa).range;
        return r.valid ? r.upper : 0.0;
    };
    switch (style.range) {
    case FigureStyle::Range::Fixed:
        return {style.lower, style.upper};
    case FigureStyle::Range::PerMap:
        return {0.0, std::max(upperOf(map), 1e-6)};
    case FigureStyle::Range::Shared:
        break;
    }
    return {0.0, std::max({upperOf(0), upperOf(1), 1e-6})};
}

PatternFigureLayout layoutPatternFigure(const PatternFigure& figure, const QRectF& rect, const FigureStyle& style)
{
    PatternFigureLayout layout;
    const double pt = style.fontPt > 0 ? style.fontPt : kDefaultFigureFontPt;
    layout.labelFont = figureFont(pt);
    layout.titleFont = figureFont(pt + 1);
    layout.titleFont.setBold(true);
    const QFontMetricsF label = metrics(layout.labelFont);
    const QFontMetricsF title = metrics(layout.titleFont);
    const double line = label.height();
    const double labelWidth = widestLabel(figure.tokens, label);
    const double gap = std::max(10.0, line);
    const double left = kMargin + line + 2 + labelWidth + kTick + 1;
    // The first query's and the last key's labels reach half a line beyond the maps.
    const double top = std::max(kMargin + line / 2, kMargin + (style.title ? title.height() + 4 : 0));
    const double right = kMargin + line / 2;
    const double keyBlock = kTick + 1 + labelWidth + 2 + line;   // labels and the axis name
    const double barHeight = std::max(6.0, std::round(line * 0.7));
    const double below = keyBlock + kBarGap + barHeight + 2 + 2 * line + kMargin;
    const double width = rect.width();
    const auto shown = shownMaps(figure.mhsaOnly);
    const double count = static_cast<double>(shown.size());
    double side = std::max(1.0, (width - left - (count - 1) * gap - right) / count);
    layout.naturalHeight = top + side + below;
    double y = rect.top() + top;
    if (rect.height() > 0 && rect.height() < layout.naturalHeight)
        side = std::max(1.0, rect.height() - top - below);
    else if (rect.height() > layout.naturalHeight)
        y += (rect.height() - layout.naturalHeight) / 2;
    const double used = left + count * side + (count - 1) * gap + right;
    const double x = rect.left() + left + std::max(0.0, (width - used) / 2);
    for (size_t slot = 0; slot < shown.size(); ++slot) {
        const auto i = static_cast<size_t>(shown[slot]);
        layout.maps[i] = QRectF(x + static_cast<double>(slot) * (side + gap), y, side, side);
        if (style.title)
            layout.titles[i] = QRectF(layout.maps[i].left() - gap / 2, y - 4 - title.height(), side + gap, title.height());
    }
    const int n = static_cast<int>(figure.tokens.size());
    layout.keyLabelSpacing = line * 1.1;
    layout.queryLabelSpacing = line * 1.05;
    layout.keyStep = labelStep(n, side, layout.keyLabelSpacing);
    layout.queryStep = labelStep(n, side, layout.queryLabelSpacing);
    const double barTop = y + side + keyBlock + kBarGap;
    auto under = [&](int map, double barWidth) {
        const QRectF& m = layout.maps[static_cast<size_t>(map)];
        return QRectF(m.center().x() - barWidth / 2, barTop, barWidth, barHeight);
    };
    if (figure.mhsaOnly) {
        layout.bars.push_back({under(1, side * 0.8), 1, false});
        return layout;
    }
    if (style.range == FigureStyle::Range::PerMap) {
        layout.bars.push_back({under(0, side * 0.8), 0, false});
        layout.bars.push_back({under(1, side * 0.8), 1, false});
    } else {
        // One bar for both attention maps, centred under the pair.
        const double centre = (layout.maps[0].left() + layout.maps[1].right()) / 2;
        layout.bars.push_back({QRectF(centre - side / 2, barTop, side, barHeight), 0, true});
    }
    layout.bars.push_back({under(2, side * 0.8), 2, false});
    return layout;
}

void paintPatternFigure(QPainter& painter, const QRectF& rect, const PatternFigure& figure, const FigureStyle& style, const Theme& theme)
{
    const PatternFigureLayout layout = layoutPatternFigure(figure, rect, style);
    painter.save();
    painter.setRenderHint(QPainter::TextAntialiasing, true);
    const auto shown = shownMaps(figure.mhsaOnly);
    for (int i : shown) {
        const bool first = i == shown.front();
        const QRectF& map = layout.maps[static_cast<size_t>(i)];
        paintCells(painter, map, figure.grids[static_cast<size_t>(i)], MapColours(figure, i, style));
        painter.setPen(QPen(theme.foreground, 0.5));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(map);
        painter.setFont(layout.labelFont);
        paintLabels(painter, map, figure.tokens, layout.keyStep, true, theme);
        if (first)
            paintLabels(painter, map, figure.tokens, layout.queryStep, false, theme);
        const QFontMetricsF m = metrics(layout.labelFont);
        painter.drawText(QRectF(map.left(), map.bottom() + kTick + 1 + widestLabel(figure.tokens, m) + 2, map.width(), m.height()),
                         Qt::AlignHCenter | Qt::AlignTop, QObject::tr("key"));
        if (first) {
            painter.save();
            painter.translate(rect.left() + kMargin + m.height() / 2, map.center().y());
            painter.rotate(-90);
            painter.drawText(QRectF(-map.height() / 2, -m.height() / 2, map.height(), m.height()), Qt::AlignCenter, QObject::tr("query"));
            painter.restore();
        }
        if (style.title) {
            painter.setFont(layout.titleFont);
            const QRectF& box = layout.titles[static_cast<size_t>(i)];
            painter.drawText(box, Qt::AlignHCenter | Qt::AlignBottom, metrics(layout.titleFont).elidedText(figure.titles[static_cast<size_t>(i)], Qt::ElideRight, box.width()));
        }
    }
    painter.setFont(layout.labelFont);
    for (const PatternFigureLayout::Bar& bar : layout.bars) {
        if (bar.map == 2) {
            const double a = differenceAbsMax(figure);
            paintBar(painter, bar.rect, ColourScale::Kind::Diverging, colourBarTicks(ColourTransform::Linear, -a, a), QObject::tr("Lorsa − MHSA"), theme);
            continue;
        }
        const auto [lower, upper] = attentionRange(figure.grids[0], figure.grids[1], bar.map, style);
        QString caption = attentionCaption(figure.transform);
        if (!bar.shared && !figure.mhsaOnly)
            caption = (bar.map == 0 ? QObject::tr("Lorsa ") : QObject::tr("MHSA ")) + caption;
        paintBar(painter, bar.rect, ColourScale::Kind::Sequential, colourBarTicks(figure.transform, lower, upper), caption, theme);
    }
    painter.restore();
}

} // namespace lorsa
