#include "model/core/error.h"
#include "tests/support/temp_dir.h"
#include "tests/widgets/synthetic_analysis.h"
#include "widgets/export_menu.h"
#include "widgets/fidelity_panel.h"
#include "widgets/figure_exporter.h"
#include "widgets/head_list_view.h"
#include "widgets/pattern_map_view.h"
#include "widgets/selection_model.h"
#include "widgets/token_heatmap_view.h"
#include "widgets/z_pattern_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QXmlStreamReader>
#include <QtTest>

using namespace lorsa;

namespace {

QByteArray readAll(const std::filesystem::path& path)
{
    QFile file(QString::fromStdString(path.string()));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestFigureExport : public QObject {
    Q_OBJECT
public:
    TestFigureExport()
    {
        m_analysis = test::makeAnalysis(40);
        m_detail = test::makeDetail(*m_analysis, 5, 2, 12);
        m_selection.setLorsaHead(5);
        m_selection.setQueryToken(12);
        const auto result = test::makeResult(m_analysis, m_detail);
        for (AnalysisView* view : views())
            view->setResult(result);
    }

private:
    std::vector<AnalysisView*> views() { return {&m_heatmap, &m_list, &m_patterns, &m_z, &m_fidelity}; }
    std::vector<FigureSource*> sources() { return {&m_heatmap, &m_list, &m_patterns, &m_z, &m_fidelity}; }
    FigureSource* source(int i) { return sources()[static_cast<size_t>(i)]; }

    SelectionModel m_selection;
    TokenHeatmapView m_heatmap{&m_selection};
    HeadListView m_list{&m_selection};
    PatternMapView m_patterns{&m_selection};
    ZPatternView m_z{&m_selection};
    FidelityPanel m_fidelity;
    PromptAnalysisPtr m_analysis;
    HeadDetailPtr m_detail;

private Q_SLOTS:
    void views_data()
    {
        QTest::addColumn<int>("view");
        for (int i = 0; i < 5; ++i)
            QTest::addRow("%s", qPrintable(source(i)->figureName())) << i;
    }
    void png_data() { views_data(); }
    void png()
    {
        QFETCH(int, view);
        test::TempDir dir;
        const auto path = dir / "figure.png";
        FigureOptions options;
        options.widthMm = 120;
        options.heightMm = 80;
        options.dpi = 200;
        FigureExporter::exportFigure(*source(view), QString::fromStdString(path.string()), options);
        QImage image;
        QVERIFY(image.load(QString::fromStdString(path.string()), "PNG"));
        QCOMPARE(image.width(), qRound(120 / 25.4 * 200));
        QCOMPARE(image.height(), qRound(80 / 25.4 * 200));
        QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), 200);
        // Something other than the white background was drawn, and the corner is white (light theme).
        QCOMPARE(image.pixelColor(image.width() - 1, image.height() - 1), QColor(Qt::white));
        int inked = 0;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                inked += image.pixel(x, y) != qRgb(255, 255, 255) ? 1 : 0;
        QVERIFY2(inked > 50, qPrintable(QString::number(inked)));
    }
    void svg_data() { views_data(); }
    void svg()
    {
        QFETCH(int, view);
        test::TempDir dir;
        const auto path = dir / "figure.svg";
        FigureOptions options;
        options.widthMm = 150;
        FigureExporter::exportFigure(*source(view), QString::fromStdString(path.string()), options);
        QXmlStreamReader xml(readAll(path));
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name().toString(), QStringLiteral("svg"));
        const QString width = xml.attributes().value(QStringLiteral("width")).toString();
        const QString height = xml.attributes().value(QStringLiteral("height")).toString();
        QVERIFY2(width.endsWith(QStringLiteral("mm")), qPrintable(width));
        QVERIFY(std::abs(width.chopped(2).toDouble() - 150) < 0.3);
        const double expectedHeight = source(view)->figureHeight(150 / 25.4 * 96) / 96 * 25.4;
        QVERIFY(std::abs(height.chopped(2).toDouble() - expectedHeight) < 0.5);
        int elements = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() == QXmlStreamReader::StartElement)
                ++elements;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(elements > 20);
    }
    void pdf_data() { views_data(); }
    void pdf()
    {
        QFETCH(int, view);
        test::TempDir dir;
        const auto path = dir / "figure.pdf";
        FigureOptions options;
        options.widthMm = 160;
        options.heightMm = 100;
        FigureExporter::exportFigure(*source(view), QString::fromStdString(path.string()), options);
        const QByteArray pdf = readAll(path);
        QVERIFY(pdf.startsWith("%PDF-"));
        const QRegularExpression mediaBox(QStringLiteral("/MediaBox \\[\\s*0 0 ([0-9.]+) ([0-9.]+)\\s*\\]"));
        const auto match = mediaBox.match(QString::fromLatin1(pdf));
        QVERIFY(match.hasMatch());
        QVERIFY(std::abs(match.captured(1).toDouble() - 160 / 25.4 * 72) < 1);
        QVERIFY(std::abs(match.captured(2).toDouble() - 100 / 25.4 * 72) < 1);
        const QRegularExpression length(QStringLiteral("/Length (\\d+)"));
        qint64 longest = 0;
        for (auto it = length.globalMatch(QString::fromLatin1(pdf)); it.hasNext();)
            longest = std::max(longest, it.next().captured(1).toLongLong());
        QVERIFY2(longest > 200, "no non-empty content stream");
        QVERIFY(pdf.contains("/FontFile"));  // fonts embedded
        QVERIFY(!pdf.contains("/DCTDecode"));  // images (colour scales) are lossless, never JPEG
    }
    void csvAndJson()
    {
        test::TempDir dir;
        const auto csvPath = dir / "heatmap.csv";
        const auto jsonPath = dir / "patterns.json";
        FigureExporter::exportData(m_heatmap, QString::fromStdString(csvPath.string()));
        QList<QByteArray> lines = readAll(csvPath).split('\n');
        // Provenance first, as comment lines.
        QList<QByteArray> comments;
        while (!lines.isEmpty() && lines.first().startsWith("# "))
            comments << lines.takeFirst();
        QVERIFY(comments.contains("# model: EleutherAI/pythia-70m"));
        QVERIFY(comments.contains("# lorsa: lorsa-L3-pythia-70m"));
        QVERIFY2(std::any_of(comments.begin(), comments.end(), [](const QByteArray& line) { return line.startsWith("# lorsa_head: "); }),
                 comments.join('|').constData());
        QCOMPARE(lines.first(), QByteArray("position,token_id,token,value"));
        QVERIFY(lines.size() > 40);  // header, rows (some quoted with newlines), trailing empty
        FigureExporter::exportData(m_patterns, QString::fromStdString(jsonPath.string()));
        const QJsonObject root = QJsonDocument::fromJson(readAll(jsonPath)).object();
        QCOMPARE(root[QStringLiteral("meta")][QStringLiteral("model")].toString(), QStringLiteral("EleutherAI/pythia-70m"));
        QCOMPARE(root[QStringLiteral("meta")][QStringLiteral("lorsa")].toString(), QStringLiteral("lorsa-L3-pythia-70m"));
        QCOMPARE(root[QStringLiteral("meta")][QStringLiteral("lorsa_head")].toInt(), 5);
        // Provenance: where the checkpoints were, which configs, the prompt and the layer.
        const QJsonObject meta = root[QStringLiteral("meta")].toObject();
        QCOMPARE(meta[QStringLiteral("model_path")].toString(), QStringLiteral("/data/models/pythia-70m"));
        QCOMPARE(meta[QStringLiteral("lorsa_path")].toString(), QStringLiteral("/data/lorsas/pythia-70m/L3"));
        QCOMPARE(meta[QStringLiteral("model_config_hash")].toString(), QStringLiteral("0123456789abcdef"));
        QCOMPARE(meta[QStringLiteral("lorsa_config_hash")].toString(), QStringLiteral("fedcba9876543210"));
        QCOMPARE(meta[QStringLiteral("prompt")].toString(), QStringLiteral("The synthetic prompt, \"quoted\",\nover two lines"));
        QCOMPARE(meta[QStringLiteral("layer")].toInt(), 3);
        const QJsonArray rows = root[QStringLiteral("rows")].toArray();
        QCOMPARE(rows.size(), 40 * 41 / 2);
        const QJsonArray row = rows[5].toArray();  // query 2, key 2
        QCOMPARE(row[0].toInt(), 2);
        QCOMPARE(row[1].toInt(), 2);
        QCOMPARE(row[4].toDouble(), static_cast<double>(m_detail->lorsaPattern.at(2, 2)));
        QCOMPARE(row[6].toDouble(), static_cast<double>(m_detail->lorsaPattern.at(2, 2) - m_detail->mhsaPattern.at(2, 2)));
    }
    // The size dialog of both export paths: a width in inches arrives in millimetres.
    void sizeDialogTakesInches()
    {
        FigureOptions options;
        QTimer::singleShot(0, [] {
            QWidget* dialog = QApplication::activeModalWidget();
            QVERIFY(dialog);
            dialog->findChild<QComboBox*>()->setCurrentIndex(1);  // inches
            dialog->findChild<QDoubleSpinBox*>()->setValue(3.5);
            dialog->findChild<QSpinBox*>()->setValue(450);
            dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
        });
        QVERIFY(askFigureOptions(nullptr, options, true));
        QCOMPARE(options.widthMm, 3.5 * 25.4);
        QCOMPARE(options.heightMm, 0.0);  // as the view needs
        QCOMPARE(options.dpi, 450);
        QCOMPARE(options.style.fontPt, 0.0);  // the view's own
        QVERIFY(options.style.title);
        QCOMPARE(options.style.range, FigureStyle::Range::Shared);
        QTimer::singleShot(0, [] { QApplication::activeModalWidget()->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel)->click(); });
        QVERIFY(!askFigureOptions(nullptr, options, true));
    }

    // The style reaches the options: height in the chosen unit, font size, title, a fixed range.
    void dialogTakesTheStyle()
    {
        FigureOptions options;
        QTimer::singleShot(0, [] {
            QWidget* dialog = QApplication::activeModalWidget();
            QVERIFY(dialog);
            const auto spins = dialog->findChildren<QDoubleSpinBox*>();  // width, height, font, lower, upper
            QCOMPARE(spins.size(), 5);
            dialog->findChild<QComboBox*>()->setCurrentIndex(1);  // inches
            spins[1]->setValue(2);
            spins[2]->setValue(11);
            dialog->findChild<QCheckBox*>()->setChecked(false);
            auto* range = dialog->findChildren<QComboBox*>().at(1);
            QVERIFY(!spins[3]->isEnabled());
            range->setCurrentIndex(range->findData(static_cast<int>(FigureStyle::Range::Fixed)));
            QVERIFY(spins[3]->isEnabled());
            spins[3]->setValue(0.1);
            spins[4]->setValue(0.6);
            dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
        });
        QVERIFY(askFigureOptions(nullptr, options, true));
        QCOMPARE(options.heightMm, 2 * 25.4);
        QCOMPARE(options.style.fontPt, 11.0);
        QVERIFY(!options.style.title);
        QCOMPARE(options.style.range, FigureStyle::Range::Fixed);
        QCOMPARE(options.style.lower, 0.1);
        QCOMPARE(options.style.upper, 0.6);
        // A view that draws its own style: the style cannot be chosen.
        QTimer::singleShot(0, [] {
            QWidget* dialog = QApplication::activeModalWidget();
            QVERIFY(!dialog->findChild<QCheckBox*>()->isEnabled());
            dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel)->click();
        });
        QVERIFY(!askFigureOptions(nullptr, options, false));
    }

    void badRequestsAreErrors()
    {
        test::TempDir dir;
        FigureOptions options;
        QVERIFY_THROWS_EXCEPTION(Error, FigureExporter::exportFigure(m_heatmap, QString::fromStdString((dir / "x.bmp").string()), options));
        options.dpi = 100000;
        QVERIFY_THROWS_EXCEPTION(Error, FigureExporter::exportFigure(m_heatmap, QString::fromStdString((dir / "x.png").string()), options));
        options = FigureOptions();
        options.widthMm = std::nan("");
        QVERIFY_THROWS_EXCEPTION(Error, FigureExporter::exportFigure(m_heatmap, QString::fromStdString((dir / "x.pdf").string()), options));
        QVERIFY_THROWS_EXCEPTION(Error, FigureExporter::exportData(m_heatmap, QStringLiteral("/nonexistent-folder/x.csv")));
        QCOMPARE(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 0);
    }
};

QTEST_MAIN(TestFigureExport)
#include "test_figure_export.moc"
