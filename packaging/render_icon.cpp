// Build-time tool: renders the scalable icon into the hicolor PNG sizes the package installs,
// so the PNGs cannot drift from the SVG.
//   lorsa_render_icon ICON.svg OUTPUT_DIR NAME SIZE...   ->  OUTPUT_DIR/SIZExSIZE/apps/NAME.png

#include <QDir>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char** argv)
{
    QGuiApplication app(argc, argv);  // QPainter needs it; run with QT_QPA_PLATFORM=offscreen
    const QStringList args = QGuiApplication::arguments();
    if (args.size() < 5) {
        std::fprintf(stderr, "usage: lorsa_render_icon ICON.svg OUTPUT_DIR NAME SIZE...\n");
        return 2;
    }
    QSvgRenderer svg(args[1]);
    if (!svg.isValid()) {
        std::fprintf(stderr, "%s: not a valid SVG\n", qPrintable(args[1]));
        return 2;
    }
    for (qsizetype i = 4; i < args.size(); ++i) {
        const int size = args[i].toInt();
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        svg.render(&painter);
        painter.end();
        const QString dir = QStringLiteral("%1/%2x%2/apps").arg(args[2]).arg(size);
        const QString file = QStringLiteral("%1/%2.png").arg(dir, args[3]);
        if (!QDir().mkpath(dir) || !image.save(file)) {
            std::fprintf(stderr, "%s: cannot write\n", qPrintable(file));
            return 2;
        }
    }
    return 0;
}
