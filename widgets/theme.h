#pragma once
// The few colours the views paint with besides the colour maps. On screen they follow the
// widget's palette (light or dark); figures are always exported with the light theme.

#include <QColor>
#include <QFont>
#include <QPalette>

namespace lorsa {

struct Theme {
    QColor background;   ///< figure / plot background
    QColor foreground;   ///< text, axes
    QColor faint;        ///< whitespace glyphs, grid lines, masked cells
    QColor highlight;    ///< selection outline, crosshair
    QColor positive;     ///< bars of positive contributions
    QColor negative;     ///< bars of negative contributions
    QColor line;         ///< line plots

    /// The theme used for every exported figure, whatever the UI theme.
    static Theme light();
    /// The on-screen theme of a widget with palette \p palette.
    static Theme fromPalette(const QPalette& palette);
    bool isDark() const;
};

} // namespace lorsa
