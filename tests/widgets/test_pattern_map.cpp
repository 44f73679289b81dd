#include "model/core/error.h"
#include "tests/widgets/synthetic_analysis.h"
#include "widgets/pattern_map.h"
#include "widgets/qcustomplot_include.h"

#include <QtTest>

#include <cmath>

using namespace lorsa;

class TestPatternMap : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fillsCellsWithoutAWindow_data()
    {
        QTest::addColumn<int>("tokens");
        QTest::addRow("one") << 1;
        QTest::addRow("seven") << 7;
        QTest::addRow("hundred") << 100;
    }
    void fillsCellsWithoutAWindow()
    {
        QFETCH(int, tokens);
        QCustomPlot plot;  // never shown
        auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);  // owned by the plot
        const PromptAnalysisPtr a = test::makeAnalysis(tokens);
        const HeadDetailPtr d = test::makeDetail(*a, 3, 1, 0);
        const ValueRange range = fillPatternMap(map, d->lorsaPattern, true, QStringLiteral("test"));
        QCOMPARE(map->data()->keySize(), std::max(tokens, 2));
        QCOMPARE(map->data()->valueSize(), std::max(tokens, 2));
        QVERIFY(!map->interpolate());
        // Cells sit on integer coordinates, so axes -0.5 .. T-0.5 are cell-exact.
        double lo = 1e9, hi = -1e9;
        for (int q = 0; q < tokens; ++q) {
            for (int k = 0; k < tokens; ++k) {
                const double cell = map->data()->cell(k, q);
                if (k > q) {
                    QVERIFY2(std::isnan(cell), "above the diagonal must be NaN");
                } else {
                    QCOMPARE(cell, static_cast<double>(d->lorsaPattern.at(q, k)));
                    lo = std::min(lo, cell);
                    hi = std::max(hi, cell);
                }
                double key = 0, value = 0;
                map->data()->cellToCoord(k, q, &key, &value);
                QCOMPARE(key, static_cast<double>(k));
                QCOMPARE(value, static_cast<double>(q));
            }
        }
        QVERIFY(range.valid);
        QCOMPARE(range.lower, lo);
        QCOMPARE(range.upper, hi);
    }
    void nonFiniteBecomesNaNAndNoMaskKeepsUpperTriangle()
    {
        QCustomPlot plot;
        auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);  // owned by the plot
        FloatMatrix m{2, 2, {1.0f, 2.0f, NAN, INFINITY}};
        const ValueRange range = fillPatternMap(map, m, false, QStringLiteral("test"));
        QCOMPARE(map->data()->cell(1, 0), 2.0);
        QVERIFY(std::isnan(map->data()->cell(0, 1)));
        QVERIFY(std::isnan(map->data()->cell(1, 1)));
        QCOMPARE(range.lower, 1.0);
        QCOMPARE(range.upper, 2.0);
        FloatMatrix allNan{1, 1, {NAN}};
        QVERIFY(!fillPatternMap(map, allNan, true, QStringLiteral("test")).valid);
    }
    void badShapesAreErrors_data()
    {
        QTest::addColumn<qint64>("rows");
        QTest::addColumn<qint64>("cols");
        QTest::addColumn<int>("values");
        QTest::addRow("not square") << qint64(2) << qint64(3) << 6;
        QTest::addRow("too few values") << qint64(3) << qint64(3) << 8;
        QTest::addRow("negative") << qint64(-2) << qint64(-2) << 4;
        QTest::addRow("overflowing shape") << qint64(1) << (qint64(1) << 62) << 4;
    }
    void badShapesAreErrors()
    {
        QFETCH(qint64, rows);
        QFETCH(qint64, cols);
        QFETCH(int, values);
        QCustomPlot plot;
        auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);  // owned by the plot
        FloatMatrix m{rows, cols, std::vector<float>(static_cast<size_t>(values), 0.5f)};
        try {
            fillPatternMap(map, m, true, QStringLiteral("lorsa pattern"));
            QFAIL("no error");
        } catch (const Error& error) {
            QVERIFY(QString::fromStdString(error.what()).startsWith(QStringLiteral("lorsa pattern: ")));
        }
    }
    void difference()
    {
        const FloatMatrix d = differenceMatrix({1, 2, {3.0f, 1.0f}}, {1, 2, {1.0f, 4.0f}}, QStringLiteral("d"));
        QCOMPARE(d.values, (std::vector<float>{2.0f, -3.0f}));
        QVERIFY_THROWS_EXCEPTION(Error, differenceMatrix({1, 2, {3.0f, 1.0f}}, {2, 1, {1.0f, 4.0f}}, QStringLiteral("d")));
    }
};

QTEST_MAIN(TestPatternMap)
#include "test_pattern_map.moc"
