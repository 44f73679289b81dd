#include "widgets/figure_exporter.h"

#include "model/core/error.h"
#include "widgets/data_writer.h"
#include "widgets/qcustomplot_include.h"

#include <QBuffer>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QPageSize>
#include <QPdfWriter>
#include <QSvgGenerator>

#include <cmath>

namespace lorsa {
namespace {

[[noreturn]] void fail(const QString& path, const QString& problem)
{
    throw Error(ErrorKind::InvalidInput, (path + QStringLiteral(": ") + problem).toStdString());
}

// Vector devices must not get cosmetic (always one device pixel) pens, and QCustomPlot must not
// cache layers as pixmaps in vector output.
void prepare(QCPPainter& painter, bool vector)
{
    painter.setMode(QCPPainter::pmVectorized, vector);
    painter.setMode(QCPPainter::pmNoCaching, true);
    painter.setMode(QCPPainter::pmNonCosmetic, true);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setRenderHint(QPainter::TextAntialiasing, true);
    // Large colour maps and the colour-scale bars are images: Flate, never JPEG, in a PDF.
    painter.setRenderHint(QPainter::LosslessImageRendering, true);
}

void render(FigureSource& source, QCPPainter& painter, const QSizeF& logical, const FigureStyle& style)
{
    const Theme theme = Theme::light();
    painter.fillRect(QRectF(QPointF(0, 0), logical), theme.background);
    source.renderStyledFigure(painter, QRectF(QPointF(0, 0), logical), theme, style);
}

QByteArray renderPng(FigureSource& source, const QString& path, double widthMm, double heightMm, int dpi, const FigureStyle& style)
{
    const double dpr = dpi / FigureExporter::kLogicalDpi;
    const QSize device(static_cast<int>(std::lround(widthMm / 25.4 * dpi)), static_cast<int>(std::lround(heightMm / 25.4 * dpi)));
    if (static_cast<qint64>(device.width()) * device.height() > 400'000'000LL)
        fail(path, QStringLiteral("a %1 x %2 pixel image is too large; lower the DPI or the size").arg(device.width()).arg(device.height()));
    QImage image(device, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull())
        fail(path, QStringLiteral("cannot allocate a %1 x %2 pixel image").arg(device.width()).arg(device.height()));
    // Fonts in points resolve against the device's DPI: paint at 96 logical DPI scaled by the
    // device pixel ratio, then record the real DPI in the file.
    const int logicalDpm = static_cast<int>(std::lround(FigureExporter::kLogicalDpi / 0.0254));
    image.fill(Qt::white);
    image.setDotsPerMeterX(logicalDpm);
    image.setDotsPerMeterY(logicalDpm);
    image.setDevicePixelRatio(dpr);
    {
        QCPPainter painter(&image);
        prepare(painter, false);
        render(source, painter, QSizeF(device.width() / dpr, device.height() / dpr), style);
    }
    image.setDevicePixelRatio(1);
    const int dpm = static_cast<int>(std::lround(dpi / 0.0254));
    image.setDotsPerMeterX(dpm);
    image.setDotsPerMeterY(dpm);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (!writer.write(image))
        fail(path, QStringLiteral("cannot encode PNG: ") + writer.errorString());
    return bytes;
}

QByteArray renderSvg(FigureSource& source, const QString& path, double widthMm, double heightMm, const FigureStyle& style)
{
    // QSvgGenerator states width/height in mm as size * 25.4 / resolution, in whole pixels.
    const QSize logical(static_cast<int>(std::lround(widthMm / 25.4 * FigureExporter::kLogicalDpi)),
                        static_cast<int>(std::lround(heightMm / 25.4 * FigureExporter::kLogicalDpi)));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setResolution(static_cast<int>(FigureExporter::kLogicalDpi));
    generator.setSize(logical);
    generator.setViewBox(QRect(QPoint(0, 0), logical));
    generator.setTitle(source.figureName());
    generator.setDescription(QStringLiteral("Lorsa Explorer figure"));
    QCPPainter painter;
    if (!painter.begin(&generator))
        fail(path, QStringLiteral("cannot start the SVG painter"));
    prepare(painter, true);
    render(source, painter, QSizeF(logical), style);
    painter.end();
    return bytes;
}

QByteArray renderPdf(FigureSource& source, const QString& path, double widthMm, double heightMm, const FigureStyle& style)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setCreator(QStringLiteral("Lorsa Explorer"));
        writer.setTitle(source.figureName());
        writer.setResolution(static_cast<int>(FigureExporter::kLogicalDpi));
        writer.setPageSize(QPageSize(QSizeF(widthMm, heightMm), QPageSize::Millimeter, QString(), QPageSize::ExactMatch));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout::Millimeter);
        QCPPainter painter;
        if (!painter.begin(&writer))
            fail(path, QStringLiteral("cannot start the PDF painter"));
        prepare(painter, true);
        render(source, painter, QSizeF(widthMm / 25.4 * FigureExporter::kLogicalDpi, heightMm / 25.4 * FigureExporter::kLogicalDpi), style);
        painter.end();
    }
    return bytes;
}

} // namespace

FigureOptions::Format FigureExporter::formatFor(const QString& path, FigureOptions::Format requested)
{
    if (requested != FigureOptions::Format::FromExtension)
        return requested;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QStringLiteral("png"))
        return FigureOptions::Format::Png;
    if (suffix == QStringLiteral("svg"))
        return FigureOptions::Format::Svg;
    if (suffix == QStringLiteral("pdf"))
        return FigureOptions::Format::Pdf;
    fail(path, QStringLiteral("unknown figure format '%1' (use .png, .svg or .pdf)").arg(suffix));
}

void FigureExporter::exportFigure(FigureSource& source, const QString& path, const FigureOptions& options)
{
    const FigureOptions::Format format = formatFor(path, options.format);
    if (!(options.widthMm >= 10 && options.widthMm <= kMaxWidthMm))
        fail(path, QStringLiteral("figure width %1 mm is outside 10..%2 mm").arg(options.widthMm).arg(kMaxWidthMm));
    if (format == FigureOptions::Format::Png && !(options.dpi >= 10 && options.dpi <= kMaxDpi))
        fail(path, QStringLiteral("%1 DPI is outside 10..%2").arg(options.dpi).arg(kMaxDpi));
    const FigureStyle& style = options.style;
    if (!(style.fontPt == 0 || (style.fontPt >= kMinFontPt && style.fontPt <= kMaxFontPt)))
        fail(path, QStringLiteral("font size %1 pt is outside %2..%3 pt").arg(style.fontPt).arg(kMinFontPt).arg(kMaxFontPt));
    if (style.range == FigureStyle::Range::Fixed && !(std::isfinite(style.lower) && std::isfinite(style.upper) && style.upper > style.lower))
        fail(path, QStringLiteral("colour range %1..%2 is empty").arg(style.lower).arg(style.upper));
    double heightMm = options.heightMm;
    if (heightMm <= 0 || !std::isfinite(heightMm)) {
        const double width = options.widthMm / 25.4 * kLogicalDpi;
        heightMm = source.styledFigureHeight(width, options.style) / kLogicalDpi * 25.4;
    }
    heightMm = std::clamp(heightMm, 10.0, kMaxWidthMm * 4);

    QByteArray bytes;
    switch (format) {
    case FigureOptions::Format::Png:
        bytes = renderPng(source, path, options.widthMm, heightMm, options.dpi, options.style);
        break;
    case FigureOptions::Format::Svg:
        bytes = renderSvg(source, path, options.widthMm, heightMm, options.style);
        break;
    case FigureOptions::Format::Pdf:
    case FigureOptions::Format::FromExtension:
        bytes = renderPdf(source, path, options.widthMm, heightMm, options.style);
        break;
    }
    writeAtomically(path, bytes);
}

void FigureExporter::exportData(const FigureSource& source, const QString& path)
{
    const DataTable table = source.figureData();
    const bool csv = QFileInfo(path).suffix().compare(QStringLiteral("csv"), Qt::CaseInsensitive) == 0;
    writeAtomically(path, csv ? toCsv(table) : toJson(table));
}

} // namespace lorsa
