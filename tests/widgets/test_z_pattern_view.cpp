// The z-pattern view: which bars carry their token (chooseBarLabels), the map's colour scale on
// the selected query's row, the ranked list of contributing keys and the hover values, checked
// against sums computed here from the synthetic analysis's z-pattern.

#include "tests/widgets/synthetic_analysis.h"
#include "widgets/bar_labels.h"
#include "widgets/contribution_table.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/selection_model.h"
#include "widgets/token_layout.h"
#include "widgets/z_pattern_stats.h"
#include "widgets/z_pattern_view.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using namespace lorsa;

namespace {

using Ints = std::vector<int>;
using Doubles = std::vector<double>;

// The row's contributions, by hand.
Doubles rowOf(const HeadDetail& detail, int q)
{
    Doubles row;
    for (int k = 0; k <= q; ++k)
        row.push_back(detail.zPattern.values[static_cast<size_t>(q * detail.zPattern.cols + k)]);
    return row;
}

} // namespace

Q_DECLARE_METATYPE(Ints)
Q_DECLARE_METATYPE(Doubles)

class TestZPatternView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void labels_data()
    {
        QTest::addColumn<Doubles>("values");
        QTest::addColumn<Doubles>("widths");
        QTest::addColumn<double>("minFraction");
        QTest::addColumn<Ints>("expected");
        QTest::addRow("largest always, even too wide") << Doubles{0.1, 5, 0.2} << Doubles{9, 9, 9} << 0.5 << Ints{1};
        QTest::addRow("small bars stay bare") << Doubles{1, 0.1, 0.9, -0.15} << Doubles{0.5, 0.5, 0.5, 0.5} << 0.2 << Ints{0, 2};
        QTest::addRow("neighbours overlap: the larger wins") << Doubles{0.8, 1.0, 0.9} << Doubles{1.5, 1.5, 1.5} << 0.1 << Ints{1};
        QTest::addRow("two apart fit") << Doubles{0.8, 1.0, 0.9} << Doubles{1.5, 1.5, 1.9} << 0.1 << Ints{1};
        QTest::addRow("far enough apart") << Doubles{0.8, 0, 1.0, 0, 0.9} << Doubles{1.5, 1, 1.5, 1, 1.5} << 0.1 << Ints{0, 2, 4};
        // A positive label sits above its bar, a negative one below: side by side they never meet.
        QTest::addRow("signs do not collide") << Doubles{1.0, -0.9} << Doubles{3, 3} << 0.1 << Ints{0, 1};
        QTest::addRow("NaN and zero ignored") << Doubles{std::nan(""), 0, 2} << Doubles{1, 1, 1} << 0.0 << Ints{2};
        QTest::addRow("nothing") << Doubles{} << Doubles{} << 0.2 << Ints{};
    }

    void labels()
    {
        QFETCH(Doubles, values);
        QFETCH(Doubles, widths);
        QFETCH(double, minFraction);
        QFETCH(Ints, expected);
        QCOMPARE(chooseBarLabels(values, widths, minFraction), expected);
    }

    // On random rows: the largest is labelled, no two labels of one side overlap, every label is large.
    void labelsNeverOverlap()
    {
        std::mt19937 rng(7);
        std::normal_distribution<double> value(0, 1);
        std::uniform_real_distribution<double> width(0.5, 6);
        for (int trial = 0; trial < 200; ++trial) {
            Doubles values(40), widths(40);
            for (size_t i = 0; i < values.size(); ++i) {
                values[i] = value(rng) * value(rng);
                widths[i] = width(rng);
            }
            const double gap = 0.3;
            const Ints chosen = chooseBarLabels(values, widths, 0.25, gap);
            const auto largest = std::max_element(values.begin(), values.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
            QVERIFY(std::binary_search(chosen.begin(), chosen.end(), int(largest - values.begin())));
            for (int i : chosen) {
                QVERIFY(std::abs(values[size_t(i)]) >= 0.25 * std::abs(*largest));
                for (int j : chosen)
                    if (i < j && (values[size_t(i)] > 0) == (values[size_t(j)] > 0))
                        QVERIFY2(j - i >= (widths[size_t(i)] + widths[size_t(j)]) / 2 + gap, qPrintable(QStringLiteral("%1 %2").arg(i).arg(j)));
            }
        }
    }

    void rankedContributions()
    {
        const auto analysis = test::makeAnalysis(30);
        const auto detail = test::makeDetail(*analysis, 5, 2, 17);
        const Doubles row = rowOf(*detail, 17);
        double total = 0;
        for (double c : row)
            total += std::abs(c);
        Ints order(row.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int a, int b) { return std::abs(row[size_t(a)]) > std::abs(row[size_t(b)]); });
        const auto ranked = rankContributions(detail->zPattern, 17, 10);
        QCOMPARE(ranked.size(), size_t(10));
        double shares = 0;
        for (size_t i = 0; i < ranked.size(); ++i) {
            QCOMPARE(ranked[i].key, order[i]);
            QCOMPARE(ranked[i].value, row[size_t(order[i])]);
            QVERIFY(std::abs(ranked[i].share - std::abs(row[size_t(order[i])]) / total) < 1e-12);
            shares += ranked[i].share;
        }
        QVERIFY(shares <= 1 + 1e-12);
        QCOMPARE(rankContributions(detail->zPattern, 2, 10).size(), size_t(3));  // only keys <= query
        QVERIFY(rankContributions(detail->zPattern, 30, 10).empty());
        QVERIFY(rankContributions(detail->zPattern, -1, 10).empty());
    }

    void rowColourScale()
    {
        const auto analysis = test::makeAnalysis(30);
        const auto detail = test::makeDetail(*analysis, 5, 2, 17);
        double rowMax = 0, mapMax = 0;
        for (double c : rowOf(*detail, 17))
            rowMax = std::max(rowMax, std::abs(c));
        for (int q = 0; q < 30; ++q)
            for (double c : rowOf(*detail, q))
                mapMax = std::max(mapMax, std::abs(c));
        QCOMPARE(rowAbsMax(detail->zPattern, 17), rowMax);
        QCOMPARE(rowAbsMax(detail->zPattern, 99), 0.0);

        SelectionModel selection;
        selection.setLorsaHead(5);
        selection.setQueryToken(17);
        ZPatternView view(&selection);
        view.resize(500, 700);
        view.setResult(test::makeResult(analysis, detail));
        QVERIFY(view.rowColourScale());  // the default
        QVERIFY(std::abs(view.colourRange() - rowMax) < 1e-6 * rowMax);
        selection.setQueryToken(4);
        QVERIFY(std::abs(view.colourRange() - rowAbsMax(detail->zPattern, 4)) < 1e-6);
        view.setRowColourScale(false);
        QVERIFY(std::abs(view.colourRange() - mapMax) < 1e-5 * mapMax);
        // The selected row is outlined on the map.
        QCPItemRect* marker = nullptr;
        for (int i = 0; i < view.plot()->itemCount(); ++i)
            if (auto* rect = qobject_cast<QCPItemRect*>(view.plot()->item(i)))
                marker = rect;
        QVERIFY(marker && marker->visible());
        QCOMPARE(marker->topLeft->coords().y(), 3.5);
        QCOMPARE(marker->bottomRight->coords().y(), 4.5);
    }

    void rankedListAndLabelsInTheView()
    {
        const auto analysis = test::makeAnalysis(30);
        const auto detail = test::makeDetail(*analysis, 5, 2, 17);
        SelectionModel selection;
        selection.setLorsaHead(5);
        selection.setQueryToken(17);
        ZPatternView view(&selection);
        view.resize(700, 800);
        view.setResult(test::makeResult(analysis, detail));
        const auto ranked = rankContributions(detail->zPattern, 17, ContributionTable::kRows);
        ContributionTable* table = view.ranking();
        QCOMPARE(table->rowCount(), ContributionTable::kRows);
        for (int row = 0; row < table->rowCount(); ++row) {
            const auto& key = ranked[size_t(row)];
            QCOMPARE(table->item(row, ContributionTable::PositionColumn)->data(Qt::UserRole).toInt(), key.key);
            QCOMPARE(table->item(row, ContributionTable::TokenColumn)->text(), displayToken(analysis->tokens[size_t(key.key)].text));
            QCOMPARE(table->item(row, ContributionTable::ContributionColumn)->data(Qt::UserRole).toDouble(), key.value);
            QCOMPARE(table->item(row, ContributionTable::ShareColumn)->data(Qt::UserRole).toDouble(), key.share);
        }
        // Labels are chosen once the plot knows a key's width.
        view.plot()->replot();
        QVERIFY(!view.labelledKeys().empty());
        QVERIFY(std::find(view.labelledKeys().begin(), view.labelledKeys().end(), ranked[0].key) != view.labelledKeys().end());
        // A new query: a new list.
        selection.setQueryToken(3);
        QCOMPARE(table->rowCount(), 4);
    }

    void hoverShowsValues()
    {
        const auto analysis = test::makeAnalysis(20);
        const auto detail = test::makeDetail(*analysis, 5, 2, 12);
        SelectionModel selection;
        selection.setLorsaHead(5);
        selection.setQueryToken(12);
        ZPatternView view(&selection);
        view.resize(600, 800);
        view.setResult(test::makeResult(analysis, detail));
        view.plot()->replot();
        QCPAxisRect* bars = view.plot()->axisRect(0);
        QCPAxisRect* map = view.plot()->axisRect(1);
        const double c = detail->zPattern.at(12, 7);
        const QPointF onBar(bars->axis(QCPAxis::atBottom)->coordToPixel(7), bars->center().y());
        const QString barText = view.hoverText(onBar);
        QVERIFY2(barText.contains(QStringLiteral("key 7")) && barText.contains(QStringLiteral("query 12")), qPrintable(barText));
        QVERIFY2(barText.contains(QString::number(c, 'g', 5)), qPrintable(barText));
        const QPointF onCell(map->axis(QCPAxis::atBottom)->coordToPixel(3), map->axis(QCPAxis::atLeft)->coordToPixel(9));
        const QString cellText = view.hoverText(onCell);
        QVERIFY2(cellText.contains(QStringLiteral("query 9")) && cellText.contains(QStringLiteral("key 3")), qPrintable(cellText));
        QVERIFY2(cellText.contains(QString::number(detail->zPattern.at(9, 3), 'g', 5)), qPrintable(cellText));
        // Above the diagonal (masked) and outside the plots: nothing.
        QVERIFY(view.hoverText(QPointF(map->axis(QCPAxis::atBottom)->coordToPixel(15), map->axis(QCPAxis::atLeft)->coordToPixel(2))).isEmpty());
        QVERIFY(view.hoverText(QPointF(1, 1)).isEmpty());
    }
};

QTEST_MAIN(TestZPatternView)
#include "test_z_pattern_view.moc"
