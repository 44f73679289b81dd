// `lorsa figure` run in-process: the files parse as PNG/SVG/PDF with the requested size, and bad
// input exits with 2 and one line. The command makes its own offscreen QApplication.

#include "app/cli/cli.h"
#include "tests/app/explorer/explorer_fixture.h"

#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QSet>
#include <QXmlStreamReader>
#include <QtTest>

#include <sstream>

using namespace lorsa;

namespace {

struct Run {
    int code;
    std::string out;
    std::string err;
};

Run runCli(const QStringList& arguments)
{
    std::vector<std::string> storage{"lorsa"};
    for (const QString& argument : arguments)
        storage.push_back(argument.toStdString());
    std::vector<const char*> argv;
    for (const auto& s : storage)
        argv.push_back(s.c_str());
    std::ostringstream out;
    std::ostringstream err;
    const int code = cli::runLorsaCli(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

QString path(const std::filesystem::path& p)
{
    return QString::fromStdString(p.string());
}

} // namespace

class TestFigureCommand : public QObject {
    Q_OBJECT

    std::unique_ptr<test::ExplorerFixture> m_fixture;

    QStringList base() const
    {
        return {QStringLiteral("figure"), QStringLiteral("--model"), path(m_fixture->model), QStringLiteral("--lorsa"), path(m_fixture->lorsa),
                QStringLiteral("--device"), QStringLiteral("cpu"), QStringLiteral("--text"), QStringLiteral("The cat sat on the mat. The cat")};
    }

private Q_SLOTS:
    void initTestCase() { m_fixture = std::make_unique<test::ExplorerFixture>(); }

    void writesFigures_data()
    {
        QTest::addColumn<QString>("view");
        QTest::addColumn<QString>("extension");
        QTest::addColumn<double>("widthMm");
        QTest::addColumn<int>("dpi");
        for (const char* view : {"heatmap", "qk", "zpattern", "heads"})
            for (const char* extension : {"pdf", "svg", "png"})
                QTest::addRow("%s.%s", view, extension) << QString::fromLatin1(view) << QString::fromLatin1(extension) << 120.0 << 150;
        QTest::addRow("narrow png at 600 dpi") << QStringLiteral("qk") << QStringLiteral("png") << 60.0 << 600;
        QTest::addRow("upper-case extension") << QStringLiteral("heatmap") << QStringLiteral("PDF") << 89.0 << 300;
    }

    void writesFigures()
    {
        QFETCH(QString, view);
        QFETCH(QString, extension);
        QFETCH(double, widthMm);
        QFETCH(int, dpi);
        const auto out = m_fixture->dir / ("figure-" + view.toStdString() + "-" + std::to_string(dpi) + "." + extension.toStdString());
        std::filesystem::remove(out);
        const Run run = runCli(base() << QStringLiteral("--view") << view << QStringLiteral("--head") << QStringLiteral("3")
                                      << QStringLiteral("--out") << path(out) << QStringLiteral("--width-mm") << QString::number(widthMm)
                                      << QStringLiteral("--dpi") << QString::number(dpi));
        QVERIFY2(run.code == 0, run.err.c_str());
        QFile file(path(out));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(bytes.size() > 500);
        const QString lower = extension.toLower();
        if (lower == QStringLiteral("png")) {
            QImage image;
            QVERIFY(image.loadFromData(bytes, "PNG"));
            QCOMPARE(image.width(), qRound(widthMm / 25.4 * dpi));
            QVERIFY(image.height() > 10);
            QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), dpi);
            // Not a blank page: the figure draws in more than a couple of colours.
            QSet<QRgb> colours;
            for (int y = 0; y < image.height() && colours.size() < 3; y += 3)
                for (int x = 0; x < image.width() && colours.size() < 3; x += 3)
                    colours.insert(image.pixel(x, y));
            QVERIFY(colours.size() >= 3);
        } else if (lower == QStringLiteral("svg")) {
            QXmlStreamReader xml(bytes);
            bool sawSvg = false;
            QString width;
            while (!xml.atEnd()) {
                if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QStringLiteral("svg") && !sawSvg) {
                    sawSvg = true;
                    width = xml.attributes().value(QStringLiteral("width")).toString();
                }
            }
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
            QVERIFY(sawSvg);
            QVERIFY2(width.endsWith(QStringLiteral("mm")), qPrintable(width));
            QVERIFY2(std::abs(width.chopped(2).toDouble() - widthMm) < 0.5, qPrintable(width));
            QVERIFY(bytes.contains("<text") || bytes.contains("<path"));
        } else {
            QVERIFY(bytes.startsWith("%PDF-"));
            QVERIFY(bytes.trimmed().endsWith("%%EOF"));
            const auto box = QRegularExpression(QStringLiteral("/MediaBox \\[\\s*0 0 ([0-9.]+) ([0-9.]+)\\s*\\]")).match(QString::fromLatin1(bytes));
            QVERIFY(box.hasMatch());
            QVERIFY2(std::abs(box.captured(1).toDouble() - widthMm / 25.4 * 72) < 1.5, qPrintable(box.captured(0)));
            QVERIFY(bytes.contains("/FontFile"));  // fonts embedded
        }
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("expected");
        const auto out = path(m_fixture->dir / "bad.pdf");
        const QString v = QStringLiteral("--view"), h = QStringLiteral("--head"), o = QStringLiteral("--out");
        QTest::addRow("unknown view") << QStringList{v, QStringLiteral("pie"), h, QStringLiteral("1"), o, out} << QStringLiteral("pie");
        QTest::addRow("unknown extension") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("1"), o, path(m_fixture->dir / "x.gif")} << QStringLiteral("x.gif");
        QTest::addRow("head out of range") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("999"), o, out} << QStringLiteral("999");
        QTest::addRow("negative head") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("-1"), o, out} << QStringLiteral("-1");
        QTest::addRow("token out of range") << QStringList{v, QStringLiteral("zpattern"), h, QStringLiteral("1"), QStringLiteral("--token"), QStringLiteral("500"), o, out}
                                            << QStringLiteral("500");
        QTest::addRow("MHSA head out of range") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("1"), QStringLiteral("--mhsa-head"), QStringLiteral("40"), o, out}
                                                << QStringLiteral("40");
        QTest::addRow("zero width") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("1"), o, out, QStringLiteral("--width-mm"), QStringLiteral("0")}
                                    << QStringLiteral("width");
        QTest::addRow("absurd dpi") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("1"), o, out, QStringLiteral("--dpi"), QStringLiteral("100000")}
                                    << QStringLiteral("dpi");
        QTest::addRow("missing --out") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("1")} << QStringLiteral("--out");
        QTest::addRow("unwritable folder") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("1"), o, path(m_fixture->dir / "no" / "such" / "dir" / "f.svg")}
                                           << QStringLiteral("f.svg");
        QTest::addRow("empty range") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("1"), o, out, QStringLiteral("--range"), QStringLiteral("0.5:0.1")}
                                     << QStringLiteral("--range");
        QTest::addRow("range word") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("1"), o, out, QStringLiteral("--range"), QStringLiteral("auto")}
                                    << QStringLiteral("--range");
        QTest::addRow("colour scale") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("1"), o, out, QStringLiteral("--colour-scale"), QStringLiteral("cubic")}
                                      << QStringLiteral("--colour-scale");
        QTest::addRow("font size") << QStringList{v, QStringLiteral("qk"), h, QStringLiteral("1"), o, out, QStringLiteral("--font-size"), QStringLiteral("200")}
                                   << QStringLiteral("--font-size");
    }

    // The style flags reach the QK figure: no titles, the font size, the height.
    void styleFlags()
    {
        const auto out = m_fixture->dir / "styled.svg";
        const Run run = runCli(base() + QStringList{QStringLiteral("--view"), QStringLiteral("qk"), QStringLiteral("--head"), QStringLiteral("1"),
                                                    QStringLiteral("--out"), path(out), QStringLiteral("--no-title"), QStringLiteral("--font-size"),
                                                    QStringLiteral("9"), QStringLiteral("--range"), QStringLiteral("0:0.5"), QStringLiteral("--colour-scale"),
                                                    QStringLiteral("log"), QStringLiteral("--width-mm"), QStringLiteral("150"), QStringLiteral("--height-mm"),
                                                    QStringLiteral("70")});
        QVERIFY2(run.code == 0, run.err.c_str());
        QFile file(path(out));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray svg = file.readAll();
        QVERIFY(svg.contains(">key</text>"));
        QVERIFY(!svg.contains("Lorsa head"));
        QVERIFY(svg.contains("attention (log scale)"));
        QVERIFY(svg.contains("font-size=\"12\""));  // 9 pt at 96 pixels per inch
        const auto height = QRegularExpression(QStringLiteral("height=\"([0-9.]+)mm\"")).match(QString::fromUtf8(svg));
        QVERIFY(height.hasMatch());
        QVERIFY2(std::abs(height.captured(1).toDouble() - 70) < 0.5, qPrintable(height.captured(0)));  // whole pixels
    }

    void badInput()
    {
        QFETCH(QStringList, extra);
        QFETCH(QString, expected);
        const Run run = runCli(base() + extra);
        QCOMPARE(run.code, 2);
        QVERIFY2(QString::fromStdString(run.err).contains(expected), run.err.c_str());
        QCOMPARE(std::count(run.err.begin(), run.err.end(), '\n'), 1);
        QVERIFY(!std::filesystem::exists(m_fixture->dir / "bad.pdf"));
    }

    void missingModelFolder()
    {
        const Run run = runCli({QStringLiteral("figure"), QStringLiteral("--model"), path(m_fixture->dir / "absent"), QStringLiteral("--lorsa"),
                                path(m_fixture->lorsa), QStringLiteral("--text"), QStringLiteral("hi"), QStringLiteral("--view"), QStringLiteral("qk"),
                                QStringLiteral("--head"), QStringLiteral("0"), QStringLiteral("--out"), path(m_fixture->dir / "m.pdf")});
        QCOMPARE(run.code, 2);
        QVERIFY2(QString::fromStdString(run.err).contains(QStringLiteral("absent")), run.err.c_str());
    }
};

QTEST_APPLESS_MAIN(TestFigureCommand)
#include "test_figure_command.moc"
