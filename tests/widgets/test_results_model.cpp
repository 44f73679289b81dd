// ResultsModel, the one place where a result is taken or dropped as stale, and what its
// `changed` signal tells the views.
#include "tests/widgets/synthetic_analysis.h"
#include "widgets/results_model.h"

#include <QSignalSpy>
#include <QtTest>

#include <set>

using namespace lorsa;

namespace {

ExplorerResultPtr resultFor(const PromptAnalysisPtr& analysis, uint64_t generation, int head)
{
    auto result = std::make_shared<ExplorerResult>(*test::makeResult(analysis, test::makeDetail(*analysis, head, 1, 3)));
    result->generation = generation;
    return result;
}

} // namespace

class TestResultsModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keepsTheNewestAndDropsSupersededResults()
    {
        quint64 newest = 7;
        ResultsModel results([&](quint64 generation) { return generation == newest; });
        QSignalSpy changed(&results, &ResultsModel::changed);
        const auto analysis = test::makeAnalysis(12);
        QVERIFY(!results.offer(resultFor(analysis, 6, 2)));  // answers an older request
        QVERIFY(!results.offer(nullptr));
        QCOMPARE(changed.count(), 0);
        QVERIFY(!results.current());
        const auto fresh = resultFor(analysis, 7, 2);
        QVERIFY(results.offer(fresh));
        QCOMPARE(results.current(), fresh);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.last().at(0).value<ExplorerResultPtr>(), fresh);
        QCOMPARE(changed.last().at(1).toBool(), true);  // the first prompt
        newest = 9;
        QVERIFY(!results.offer(resultFor(analysis, 8, 4)));  // superseded while it ran
        QCOMPARE(results.current(), fresh);
    }

    void tellsANewPromptFromANewSelection()
    {
        quint64 newest = 1;
        ResultsModel results([&](quint64 generation) { return generation == newest; });
        QSignalSpy changed(&results, &ResultsModel::changed);
        const auto first = test::makeAnalysis(12);
        QVERIFY(results.offer(resultFor(first, 1, 2)));
        newest = 2;
        QVERIFY(results.offer(resultFor(first, 2, 5)));  // same analysis object: another head only
        QCOMPARE(changed.last().at(1).toBool(), false);
        newest = 3;
        QVERIFY(results.offer(resultFor(test::makeAnalysis(12), 3, 5)));  // equal content, another prompt's result
        QCOMPARE(changed.last().at(1).toBool(), true);
        results.clear();
        QVERIFY(!results.current());
        QVERIFY(!changed.last().at(0).value<ExplorerResultPtr>());
    }
};

QTEST_APPLESS_MAIN(TestResultsModel)
#include "test_results_model.moc"
