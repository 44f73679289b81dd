#pragma once
// Writes a FigureSource as PNG (at a DPI), SVG or PDF (vector text and axes, fonts embedded), at a
// width in millimetres, always with the light theme; and its data as CSV or JSON. Every file is
// written atomically (QSaveFile: a temporary file in the same folder, then a rename). Works
// without a window on the offscreen platform. Failures throw lorsa::Error naming the file.

#include "widgets/figure_source.h"

#include <QString>

namespace lorsa {

struct FigureOptions {
    enum class Format { FromExtension, Png, Svg, Pdf };
    Format format = Format::FromExtension;
    double widthMm = 180;   ///< physical width of the figure
    double heightMm = 0;    ///< 0: the height the view needs for that width
    int dpi = 300;          ///< PNG only
    FigureStyle style;      ///< text size, title, colour range (views that take them)
};

class FigureExporter {
public:
    /// Logical pixels per inch in which views lay out figures (fonts in points resolve against it).
    static constexpr double kLogicalDpi = 96;
    static constexpr double kMaxWidthMm = 2000;
    static constexpr int kMaxDpi = 2400;
    static constexpr double kMinFontPt = 4;
    static constexpr double kMaxFontPt = 36;

    static void exportFigure(FigureSource& source, const QString& path, const FigureOptions& options);
    /// CSV (.csv) or JSON (anything else, normally .json), chosen by the extension.
    static void exportData(const FigureSource& source, const QString& path);
    static FigureOptions::Format formatFor(const QString& path, FigureOptions::Format requested);
};

} // namespace lorsa
