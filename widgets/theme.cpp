#include "widgets/theme.h"

#include "widgets/colour_scale.h"

namespace lorsa {

Theme Theme::light()
{
    Theme t;
    t.background = Qt::white;
    t.foreground = QColor(0x20, 0x20, 0x20);
    t.faint = QColor(0xb0, 0xb0, 0xb0);
    t.highlight = QColor(0xe6, 0x55, 0x0d);  // orange: stands out on viridis and on RdBu
    t.positive = ColourScale::colourAtUnit(ColourScale::Kind::Diverging, 0.85);
    t.negative = ColourScale::colourAtUnit(ColourScale::Kind::Diverging, 0.15);
    t.line = QColor(0x1f, 0x5f, 0xa8);
    return t;
}

Theme Theme::fromPalette(const QPalette& palette)
{
    Theme t = light();
    t.background = palette.color(QPalette::Base);
    t.foreground = palette.color(QPalette::Text);
    const bool dark = t.isDark();
    t.faint = dark ? QColor(0x70, 0x70, 0x70) : QColor(0xb0, 0xb0, 0xb0);
    if (dark) {
        t.highlight = QColor(0xff, 0x9f, 0x40);
        t.line = QColor(0x6f, 0xa8, 0xe8);
    }
    return t;
}

bool Theme::isDark() const
{
    return ColourScale::lightness(background) < 50;
}

} // namespace lorsa
