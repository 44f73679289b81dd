// The QK maps as a paper figure (PatternMapView through FigureExporter, as the window and
// `lorsa figure` export it): square cells, text as text, small vector files, and every figure
// option changing what is drawn.
#include "model/core/error.h"
#include "tests/support/temp_dir.h"
#include "tests/widgets/synthetic_analysis.h"
#include "widgets/colour_scale.h"
#include "widgets/figure_exporter.h"
#include "widgets/pattern_figure.h"
#include "widgets/pattern_map_view.h"
#include "widgets/selection_model.h"

#include <QFile>
#include <QFontMetricsF>
#include <QImage>
#include <QRegularExpression>
#include <QtTest>

#include <cmath>

using namespace lorsa;

namespace {

QByteArray readAll(const std::filesystem::path& path)
{
    QFile file(QString::fromStdString(path.string()));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString str(const std::filesystem::path& path)
{
    return QString::fromStdString(path.string());
}

struct Shown {
    SelectionModel selection;
    PatternMapView view{&selection};
    HeadDetailPtr detail;
    explicit Shown(int tokens)
    {
        const PromptAnalysisPtr analysis = test::makeAnalysis(tokens);
        detail = test::makeDetail(*analysis, 5, 2, tokens - 1);
        view.setResult(test::makeResult(analysis, detail));
    }
};

/// A PNG of \p shown and the layout its pixels follow (logical pixels times \p dpr).
QImage png(Shown& shown, const FigureOptions& options, PatternFigureLayout& layout, double& dpr)
{
    test::TempDir dir;
    const auto path = dir / "maps.png";
    FigureExporter::exportFigure(shown.view, str(path), options);
    QImage image;
    if (!image.load(str(path), "PNG"))
        return image;
    dpr = options.dpi / FigureExporter::kLogicalDpi;
    layout = layoutPatternFigure(shown.view.figure(), QRectF(0, 0, image.width() / dpr, image.height() / dpr), options.style);
    return image;
}

/// The colour painted at the centre of cell (query, key) of map \p map.
QColor cellColour(const QImage& image, const PatternFigureLayout& layout, double dpr, int tokens, int map, int query, int key)
{
    const QRectF& r = layout.maps[static_cast<size_t>(map)];
    const double cell = r.width() / tokens;
    return image.pixelColor(static_cast<int>((r.left() + (key + 0.5) * cell) * dpr), static_cast<int>((r.top() + (query + 0.5) * cell) * dpr));
}

bool near(const QColor& a, const QColor& b)
{
    // Figures paint 256 levels: a level is within two units of the exact colour.
    return std::abs(a.red() - b.red()) <= 2 && std::abs(a.green() - b.green()) <= 2 && std::abs(a.blue() - b.blue()) <= 2;
}

QString describe(const QColor& a, const QColor& b)
{
    return a.name() + QStringLiteral(" vs ") + b.name();
}

/// The font size of the SVG's text \p text.
double svgFontSize(const QByteArray& svg, const QString& text)
{
    const QRegularExpression size(QStringLiteral("font-size=\"([0-9.]+)\"[^>]*>") + QRegularExpression::escape(text) + QStringLiteral("</text>"));
    const auto match = size.match(QString::fromUtf8(svg));
    return match.hasMatch() ? match.captured(1).toDouble() : 0;
}

} // namespace

class TestPatternFigure : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Cells are square in the file, whatever its size: from the layout the painting follows, and
    // the painted colours sit where that layout puts the cells.
    void cellsAreSquare_data()
    {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<double>("widthMm");
        QTest::addColumn<double>("heightMm");
        QTest::addRow("15 tokens, natural height") << 15 << 180.0 << 0.0;
        QTest::addRow("40 tokens, a tall page") << 40 << 120.0 << 150.0;
        QTest::addRow("40 tokens, a low page") << 40 << 180.0 << 50.0;
        QTest::addRow("300 tokens (an image, blocks)") << 300 << 180.0 << 0.0;
    }
    void cellsAreSquare()
    {
        QFETCH(int, tokens);
        QFETCH(double, widthMm);
        QFETCH(double, heightMm);
        Shown shown(tokens);
        FigureOptions options;
        options.widthMm = widthMm;
        options.heightMm = heightMm;
        options.dpi = 150;
        PatternFigureLayout layout;
        double dpr = 1;
        const QImage image = png(shown, options, layout, dpr);
        QVERIFY(!image.isNull());
        for (const QRectF& map : layout.maps) {
            QVERIFY(map.width() > 20);
            QVERIFY2(std::abs(map.width() / map.height() - 1) < 0.01, qPrintable(QStringLiteral("%1 x %2").arg(map.width()).arg(map.height())));
            QVERIFY(QRectF(0, 0, image.width() / dpr, image.height() / dpr).contains(map));
        }
        QCOMPARE(layout.maps[0].top(), layout.maps[2].top());
        const PatternFigure figure = shown.view.figure();
        const auto [lower, upper] = attentionRange(figure.grids[0], figure.grids[1], 0, FigureStyle());
        const CellGrid& grid = figure.grids[0];
        // Cells inside the map, away from its frame and the masked triangle (a 300-token map's
        // cells are about one pixel).
        for (const auto& [q, k] : {std::pair{tokens / 2, tokens / 4}, std::pair{tokens - 2, tokens / 3}, std::pair{tokens / 2 + 1, tokens / 2 - 2}}) {
            const int cq = q / grid.block, ck = k / grid.block;
            const float z = grid.values[static_cast<size_t>(cq * grid.cells + ck)];
            const QColor expected = ColourScale::colourAtUnit(ColourScale::Kind::Sequential, (z - lower) / (upper - lower));
            const QColor painted = cellColour(image, layout, dpr, tokens, 0, q, k);
            QVERIFY2(near(painted, expected), qPrintable(QStringLiteral("(%1, %2): ").arg(q).arg(k) + describe(painted, expected)));
        }
        // Masked cells (key after query) are left white.
        QCOMPARE(cellColour(image, layout, dpr, tokens, 1, tokens / 4, tokens * 3 / 4), QColor(Qt::white));
    }
    // Labels never overlap at any prompt length and size, and there are as many as fit.
    // Without a Lorsa the figure is the MHSA map alone: square, as wide as the page allows, with
    // its own colour bar, and the cells carry the MHSA pattern.
    void mhsaOnlyFigureIsOneMap()
    {
        const int tokens = 24;
        Shown shown(tokens);
        auto analysis = std::make_shared<PromptAnalysis>(*test::makeAnalysis(tokens));
        auto session = std::make_shared<SessionConstants>(*analysis->session);
        session->nOvHeads = 0;
        analysis->session = session;
        auto detail = std::make_shared<HeadDetail>();
        detail->mhsaHead = 2;
        detail->queryToken = tokens - 1;
        detail->mhsaPattern = shown.detail->mhsaPattern;
        shown.view.setResult(test::makeResult(analysis, detail));
        const PatternFigure figure = shown.view.figure();
        QVERIFY(figure.mhsaOnly);
        QCOMPARE(shownMaps(figure.mhsaOnly), std::vector<int>{1});
        FigureOptions options;
        options.widthMm = 90;
        options.dpi = 150;
        PatternFigureLayout layout;
        double dpr = 1;
        const QImage image = png(shown, options, layout, dpr);
        QVERIFY(!image.isNull());
        QVERIFY(layout.maps[0].isEmpty() && layout.maps[2].isEmpty());
        const QRectF& map = layout.maps[1];
        QVERIFY(std::abs(map.width() / map.height() - 1) < 0.01);
        QVERIFY(map.width() > 0.6 * image.width() / dpr);  // one map takes the width three would share
        QCOMPARE(layout.bars.size(), size_t(1));
        QCOMPARE(layout.bars.front().map, 1);
        const auto [lower, upper] = attentionRange(figure.grids[0], figure.grids[1], 1, FigureStyle());
        const float z = figure.grids[1].values[static_cast<size_t>(20 * figure.grids[1].cells + 7)];
        const QColor expected = ColourScale::colourAtUnit(ColourScale::Kind::Sequential, (z - lower) / (upper - lower));
        QVERIFY(near(cellColour(image, layout, dpr, tokens, 1, 20, 7), expected));
    }

    void labelsNeverOverlap()
    {
        for (int tokens : {3, 15, 64, 200})
            for (double width : {250.0, 680.0, 1500.0}) {
                Shown shown(tokens);
                const PatternFigureLayout layout = layoutPatternFigure(shown.view.figure(), QRectF(0, 0, width, 0), FigureStyle());
                const double cell = layout.maps[0].width() / tokens;
                const double line = QFontMetricsF(layout.labelFont).height();
                QVERIFY(layout.keyLabelSpacing >= line && layout.queryLabelSpacing >= line);
                QVERIFY(layout.keyStep * cell >= layout.keyLabelSpacing - 1e-9);
                QVERIFY(layout.queryStep * cell >= layout.queryLabelSpacing - 1e-9);
                if (layout.keyStep > 1)
                    QVERIFY((layout.keyStep - 1) * cell < layout.keyLabelSpacing);
            }
    }
    // A short prompt's SVG and PDF are vector: text as text in the named font, cells as
    // rectangles, a small file.
    void smallVectorFiles()
    {
        Shown shown(15);
        test::TempDir dir;
        FigureExporter::exportFigure(shown.view, str(dir / "maps.svg"), FigureOptions());
        FigureExporter::exportFigure(shown.view, str(dir / "maps.pdf"), FigureOptions());
        const QByteArray svg = readAll(dir / "maps.svg");
        const QByteArray pdf = readAll(dir / "maps.pdf");
        qInfo("15 tokens: SVG %lld bytes, PDF %lld bytes", static_cast<long long>(svg.size()), static_cast<long long>(pdf.size()));
        QVERIFY2(svg.size() < 200'000, qPrintable(QString::number(svg.size())));
        QVERIFY2(pdf.size() < 200'000, qPrintable(QString::number(pdf.size())));
        QVERIFY(svg.contains("<text"));
        QVERIFY(svg.contains("font-family=\"DejaVu Sans\""));
        QVERIFY(svg.contains(">query<") && svg.contains(">key<"));
        QVERIFY(svg.contains("Lorsa head 5"));
        QVERIFY(!svg.contains("<image"));
        QVERIFY(pdf.contains("/FontFile"));
        QVERIFY(pdf.contains("DejaVuSans"));
        QVERIFY(!pdf.contains("/Subtype /Image"));
        // Beyond kMaxVectorTokens the maps are images (a file of T² rectangles would be huge).
        Shown longer(kMaxVectorTokens + 1);
        FigureExporter::exportFigure(longer.view, str(dir / "long.svg"), FigureOptions());
        QVERIFY(readAll(dir / "long.svg").contains("<image"));
    }
    void noTitle()
    {
        Shown shown(15);
        test::TempDir dir;
        FigureOptions options;
        options.style.title = false;
        FigureExporter::exportFigure(shown.view, str(dir / "maps.svg"), options);
        const QByteArray svg = readAll(dir / "maps.svg");
        QVERIFY(svg.contains("<text"));
        QVERIFY(!svg.contains("Lorsa head"));
        QVERIFY(!svg.contains("MHSA head"));
        // And the figure is lower by the title row.
        QVERIFY(shown.view.styledFigureHeight(600, options.style) < shown.view.styledFigureHeight(600, FigureStyle()));
    }
    void fontSize()
    {
        Shown shown(15);
        test::TempDir dir;
        FigureOptions options;
        FigureExporter::exportFigure(shown.view, str(dir / "default.svg"), options);
        options.style.fontPt = 12;
        FigureExporter::exportFigure(shown.view, str(dir / "large.svg"), options);
        // Token labels and axis names are in the base size, in pixels of 96 per inch.
        for (const QString& text : {QStringLiteral("key"), QStringLiteral("query")}) {
            QVERIFY(std::abs(svgFontSize(readAll(dir / "default.svg"), text) - kDefaultFigureFontPt * 96 / 72) < 1e-3);
            QVERIFY(std::abs(svgFontSize(readAll(dir / "large.svg"), text) - 12.0 * 96 / 72) < 1e-3);
        }
        options.style.fontPt = 200;
        QVERIFY_THROWS_EXCEPTION(Error, FigureExporter::exportFigure(shown.view, str(dir / "x.svg"), options));
    }
    // A fixed range, a per-map range and another transform each change a known cell's colour, to
    // the colour that range or transform gives.
    void colourRangeAndTransform()
    {
        Shown shown(15);
        FigureOptions options;
        options.dpi = 150;
        PatternFigureLayout layout;
        double dpr = 1;
        const int q = 14, k = 3;
        const double z = shown.detail->lorsaPattern.at(q, k);
        const auto [lower, upper] = attentionRange(shown.view.figure().grids[0], shown.view.figure().grids[1], 0, FigureStyle());
        QImage image = png(shown, options, layout, dpr);
        const QColor automatic = cellColour(image, layout, dpr, 15, 0, q, k);
        QVERIFY2(near(automatic, ColourScale::colourAtUnit(ColourScale::Kind::Sequential, (z - lower) / (upper - lower))), qPrintable(automatic.name()));

        options.style.range = FigureStyle::Range::Fixed;
        options.style.lower = 0;
        options.style.upper = 4 * z;
        image = png(shown, options, layout, dpr);
        const QColor fixed = cellColour(image, layout, dpr, 15, 0, q, k);
        QVERIFY2(near(fixed, ColourScale::colourAtUnit(ColourScale::Kind::Sequential, 0.25)), qPrintable(fixed.name()));
        QVERIFY(!near(fixed, automatic));

        options.style.range = FigureStyle::Range::PerMap;
        const QImage perMap = png(shown, options, layout, dpr);
        QCOMPARE(layout.bars.size(), size_t(3));  // one under each map
        const double ownUpper = shown.view.figure().grids[0].range.upper;
        QVERIFY(near(cellColour(perMap, layout, dpr, 15, 0, q, k), ColourScale::colourAtUnit(ColourScale::Kind::Sequential, z / ownUpper)));

        options.style.range = FigureStyle::Range::Shared;
        options.style.transform = ColourTransform::SquareRoot;
        image = png(shown, options, layout, dpr);
        const QColor root = cellColour(image, layout, dpr, 15, 0, q, k);
        QCOMPARE(layout.bars.size(), size_t(2));  // one shared attention bar and the difference's
        QVERIFY2(near(root, ColourScale::colourAtUnit(ColourScale::Kind::Sequential, std::sqrt((z - lower) / (upper - lower)))), qPrintable(root.name()));

        options.style.range = FigureStyle::Range::Fixed;
        options.style.upper = 0;
        test::TempDir dir;
        QVERIFY_THROWS_EXCEPTION(Error, FigureExporter::exportFigure(shown.view, str(dir / "x.png"), options));
    }
};

QTEST_MAIN(TestPatternFigure)
#include "test_pattern_figure.moc"
