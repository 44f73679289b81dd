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
    // Long prompts are drawn in blocks of tokens: each cell the block's entry of largest
    // magnitude, cells centred on their blocks, the range over every entry.
    void longPromptsAreDrawnInBlocks()
    {
        const int n = 2 * kMaxCellsPerAxis + 3;  // blocks of 3 tokens
        QCOMPARE(tokensPerCell(n), 3);
        QCOMPARE(tokensPerCell(kMaxCellsPerAxis), 1);
        FloatMatrix m{n, n, std::vector<float>(static_cast<size_t>(n) * n, 0.01f)};
        auto set = [&](int q, int k, float v) { m.values[static_cast<size_t>(q) * n + k] = v; };
        set(7, 4, -0.9f);   // block (2, 1) holds a strong negative value
        set(8, 5, 0.5f);
        set(n - 4, 0, 2.0f);  // the last row of blocks
        set(4, 6, 9.0f);    // above the diagonal: masked, ignored
        QCustomPlot plot;
        auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);
        const ValueRange range = fillPatternMap(map, m, true, QStringLiteral("long"));
        const int cells = (n + 2) / 3;
        QCOMPARE(map->data()->keySize(), cells);
        QCOMPARE(range.lower, static_cast<double>(-0.9f));
        QCOMPARE(range.upper, 2.0);
        QCOMPARE(map->data()->cell(1, 2), static_cast<double>(-0.9f));
        QCOMPARE(map->data()->cell(0, (n - 4) / 3), 2.0);
        QCOMPARE(map->data()->cell(5, 5), static_cast<double>(0.01f));  // diagonal block: its lower half
        QVERIFY(std::isnan(map->data()->cell(6, 5)));                     // a block wholly above the diagonal
        // Cell (k, q) is centred on its block: key cell 1 covers tokens 3..5.
        double key = 0, value = 0;
        map->data()->cellToCoord(1, 2, &key, &value);
        QCOMPARE(key, 4.0);
        QCOMPARE(value, 7.0);
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
        QCustomPlot plot;
        auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);
        const FloatMatrix a{2, 2, {3.0f, 9.0f, 1.0f, 0.5f}};
        const FloatMatrix b{2, 2, {1.0f, 0.0f, 4.0f, 0.5f}};
        const ValueRange range = fillDifferenceMap(map, a, b, true, QStringLiteral("d"));
        QCOMPARE(map->data()->cell(0, 0), 2.0);   // query 0, key 0
        QCOMPARE(map->data()->cell(0, 1), -3.0);  // query 1, key 0
        QCOMPARE(map->data()->cell(1, 1), 0.0);
        QVERIFY(std::isnan(map->data()->cell(1, 0)));  // masked: 9 - 0 is not shown
        QCOMPARE(range.lower, -3.0);
        QCOMPARE(range.upper, 2.0);
        try {
            fillDifferenceMap(map, a, FloatMatrix{3, 3, std::vector<float>(9)}, true, QStringLiteral("d"));
            QFAIL("no error");
        } catch (const Error& error) {
            QVERIFY(QString::fromStdString(error.what()).startsWith(QStringLiteral("d: cannot subtract")));
        }
    }
};

QTEST_MAIN(TestPatternMap)
#include "test_pattern_map.moc"
