#include "tests/widgets/synthetic_analysis.h"
#include "widgets/head_activation_model.h"
#include "widgets/head_list_view.h"
#include "widgets/selection_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QtTest>

#include <set>

using namespace lorsa;

class TestHeadActivationModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void atTokenRows()
    {
        HeadActivationModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const PromptAnalysisPtr a = test::makeAnalysis(50);
        model.setAnalysis(a);
        model.setToken(7);
        const auto& active = a->active[7];
        QCOMPARE(model.rowCount(), static_cast<int>(active.size()));
        double shareSum = 0;
        for (int r = 0; r < model.rowCount(); ++r) {
            const HeadActivation& h = active[static_cast<size_t>(r)];
            QCOMPARE(model.headAt(r), h.head);
            QCOMPARE(model.index(r, HeadActivationModel::ActivationColumn).data(HeadActivationModel::ValueRole).toDouble(), static_cast<double>(h.activation));
            QCOMPARE(model.index(r, HeadActivationModel::QkHeadColumn).data(HeadActivationModel::ValueRole).toInt(), h.head / 8);
            const double share = model.index(r, HeadActivationModel::ShareColumn).data(HeadActivationModel::ValueRole).toDouble();
            QCOMPARE(share, static_cast<double>(h.share));  // the engine's share, not re-derived
            shareSum += share;
        }
        QVERIFY(std::abs(shareSum - 1) < 1e-5);
        QVERIFY(!model.index(0, HeadActivationModel::PromotedColumn).data().toString().isEmpty());
        // The cells show five tokens; the tooltip every token with its value.
        const int head = model.headAt(0);
        for (const auto& [column, lists] : {std::pair{int(HeadActivationModel::PromotedColumn), &a->headPromotedTokens},
                                            std::pair{int(HeadActivationModel::ValueTokensColumn), &a->headValueTokens}}) {
            const QString tip = model.index(0, column).data(Qt::ToolTipRole).toString();
            for (const TokenScore& score : (*lists)[size_t(head)])
                QVERIFY2(tip.contains(QString::number(double(score.score), 'f', 3)), qPrintable(tip));
            QCOMPARE(tip.count(QStringLiteral("<tr>")), int((*lists)[size_t(head)].size()));
        }
        model.setToken(1000);  // out of range: empty, no crash
        QCOMPARE(model.rowCount(), 0);
    }
    void allTokensModeListsMaximum()
    {
        HeadActivationModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const PromptAnalysisPtr a = test::makeAnalysis(400, 2048, 16);
        model.setAnalysis(a);
        model.setMode(HeadActivationModel::Mode::AllTokens);
        std::map<int, float> best;
        for (const auto& list : a->active)
            for (const HeadActivation& h : list)
                best[h.head] = std::max(best.count(h.head) ? best[h.head] : -1e9f, h.activation);
        QCOMPARE(model.rowCount(), static_cast<int>(best.size()));
        QVERIFY(model.rowCount() > 500);
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.index(r, HeadActivationModel::ActivationColumn).data(HeadActivationModel::ValueRole).toFloat(), best[model.headAt(r)]);
        model.setMode(HeadActivationModel::Mode::AtToken);
        QCOMPARE(model.rowCount(), static_cast<int>(a->active[0].size()));
    }
    void sortingAndFiltering()
    {
        HeadActivationModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(HeadActivationModel::SortRole);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAnalysis(test::makeAnalysis(200, 512, 8));
        model.setMode(HeadActivationModel::Mode::AllTokens);
        proxy.sort(HeadActivationModel::HeadColumn, Qt::AscendingOrder);
        for (int r = 1; r < proxy.rowCount(); ++r)
            QVERIFY(proxy.index(r - 1, 0).data(HeadActivationModel::SortRole).toInt() < proxy.index(r, 0).data(HeadActivationModel::SortRole).toInt());
        proxy.sort(HeadActivationModel::ActivationColumn, Qt::DescendingOrder);
        for (int r = 1; r < proxy.rowCount(); ++r)
            QVERIFY(proxy.index(r - 1, HeadActivationModel::ActivationColumn).data(HeadActivationModel::SortRole).toDouble()
                >= proxy.index(r, HeadActivationModel::ActivationColumn).data(HeadActivationModel::SortRole).toDouble());
        proxy.setFilterKeyColumn(HeadActivationModel::HeadColumn);
        proxy.setFilterFixedString(QStringLiteral("17"));
        QVERIFY(proxy.rowCount() > 0);
        for (int r = 0; r < proxy.rowCount(); ++r)
            QVERIFY(proxy.index(r, 0).data().toString().contains(QStringLiteral("17")));
    }
    void interventionEdits()
    {
        HeadActivationModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAnalysis(test::makeAnalysis(20));
        model.setToken(3);
        QSignalSpy spy(&model, &HeadActivationModel::interventionChanged);
        const int head = model.headAt(0);
        QVERIFY(model.flags(model.index(0, HeadActivationModel::AblateColumn)) & Qt::ItemIsUserCheckable);
        QVERIFY(model.flags(model.index(0, HeadActivationModel::ScaleColumn)) & Qt::ItemIsEditable);
        QVERIFY(model.setData(model.index(0, HeadActivationModel::AblateColumn), Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<HeadScales>(), (HeadScales{{head, 0.0f}}));
        QVERIFY(model.setData(model.index(0, HeadActivationModel::ScaleColumn), 2.5, Qt::EditRole));
        QCOMPARE(model.headScales(), (HeadScales{{head, 2.5f}}));
        QCOMPARE(model.index(0, HeadActivationModel::AblateColumn).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);
        QVERIFY(!model.setData(model.index(0, HeadActivationModel::ScaleColumn), QStringLiteral("nan"), Qt::EditRole));
        QVERIFY(model.setData(model.index(0, HeadActivationModel::ScaleColumn), 1e9, Qt::EditRole));
        QCOMPARE(model.headScales().at(head), HeadActivationModel::kMaxScale);
        QVERIFY(model.setData(model.index(0, HeadActivationModel::ScaleColumn), 1.0, Qt::EditRole));
        QVERIFY(model.headScales().empty());
        const int before = static_cast<int>(spy.count());
        QVERIFY(model.setData(model.index(0, HeadActivationModel::ScaleColumn), 1.0, Qt::EditRole));
        QCOMPARE(spy.count(), before);  // no change, no signal
    }
    void listViewLinksSelection()
    {
        SelectionModel selection;
        HeadListView view(&selection);
        const PromptAnalysisPtr a = test::makeAnalysis(30);
        view.setResult(test::makeResult(a));
        selection.setQueryToken(4);
        QCOMPARE(view.model()->rowCount(), static_cast<int>(a->active[4].size()));
        const QModelIndex second = view.proxy()->index(1, 0);
        view.table()->setCurrentIndex(second);
        QCOMPARE(selection.lorsaHead(), view.model()->headAt(view.proxy()->mapToSource(second).row()));
        view.setMode(HeadActivationModel::Mode::AllTokens);
        QVERIFY(view.model()->rowCount() > static_cast<int>(a->active[4].size()));
    }
};

QTEST_MAIN(TestHeadActivationModel)
#include "test_head_activation_model.moc"
