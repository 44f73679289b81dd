// The live head list's filter: a number is a head (exactly, not every head or token containing
// it), Enter on a number goes to that head even when it is not active at the selected token.

#include "tests/widgets/synthetic_analysis.h"
#include "widgets/head_activation_model.h"
#include "widgets/head_list_view.h"
#include "widgets/selection_model.h"

#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QtTest>

#include <set>

using namespace lorsa;

class TestHeadListView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void numbersAreHeads()
    {
        QCOMPARE(HeadListView::headNumberIn(QStringLiteral("12")), std::optional<int>(12));
        QCOMPARE(HeadListView::headNumberIn(QStringLiteral(" #7 ")), std::optional<int>(7));
        QCOMPARE(HeadListView::headNumberIn(QStringLiteral("-3")), std::nullopt);
        QCOMPARE(HeadListView::headNumberIn(QStringLiteral("+3")), std::nullopt);
        QCOMPARE(HeadListView::headNumberIn(QStringLiteral("the")), std::nullopt);
        QCOMPARE(HeadListView::headNumberIn(QString()), std::nullopt);
    }

    void filterMatchesHeadNumbersExactly()
    {
        SelectionModel selection;
        HeadListView view(&selection);
        const auto analysis = test::makeAnalysis(24, 64);
        view.setResult(test::makeResult(analysis));
        view.setMode(HeadActivationModel::Mode::AllTokens);
        auto* proxy = view.proxy();
        QVERIFY(proxy->rowCount() > 2);
        // A head whose number is a prefix of others' (1 -> 10..19) when there is one.
        std::set<int> shown;
        for (int row = 0; row < proxy->rowCount(); ++row)
            shown.insert(view.model()->headAt(proxy->mapToSource(proxy->index(row, 0)).row()));
        const int head = *shown.begin();
        view.setFilterText(QString::number(head));
        QCOMPARE(proxy->rowCount(), 1);
        QCOMPARE(view.model()->headAt(proxy->mapToSource(proxy->index(0, 0)).row()), head);
        view.setFilterText(QStringLiteral("#%1").arg(head));
        QCOMPARE(proxy->rowCount(), 1);
        view.setFilterText({});
        QCOMPARE(proxy->rowCount(), int(shown.size()));
    }

    void enterGoesToAnyHead()
    {
        SelectionModel selection;
        HeadListView view(&selection);
        const auto analysis = test::makeAnalysis(24, 64);
        view.setResult(test::makeResult(analysis));
        // A head not active at the selected token.
        std::set<int> active;
        for (int row = 0; row < view.model()->rowCount(); ++row)
            active.insert(view.model()->headAt(row));
        int inactive = 0;
        while (active.count(inactive))
            ++inactive;
        QVERIFY(inactive < 64);
        auto* filter = view.findChild<QLineEdit*>();
        filter->setText(QString::number(inactive));
        QTest::keyClick(filter, Qt::Key_Return);
        QCOMPARE(selection.lorsaHead(), inactive);
        // Out of range or not a number: nothing changes.
        filter->setText(QStringLiteral("64"));
        QTest::keyClick(filter, Qt::Key_Return);
        filter->setText(QStringLiteral("the"));
        QTest::keyClick(filter, Qt::Key_Return);
        QCOMPARE(selection.lorsaHead(), inactive);
    }
};

QTEST_MAIN(TestHeadListView)
#include "test_head_list_view.moc"
