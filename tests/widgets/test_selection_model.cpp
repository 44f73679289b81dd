#include "widgets/selection_model.h"

#include <QSignalSpy>
#include <QtTest>

using namespace lorsa;

class TestSelectionModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emitsOncePerRealChange_data()
    {
        QTest::addColumn<int>("field");
        QTest::addRow("layer") << static_cast<int>(SelectionModel::Field::Layer);
        QTest::addRow("lorsa head") << static_cast<int>(SelectionModel::Field::LorsaHead);
        QTest::addRow("mhsa head") << static_cast<int>(SelectionModel::Field::MhsaHead);
        QTest::addRow("query token") << static_cast<int>(SelectionModel::Field::QueryToken);
    }
    void emitsOncePerRealChange()
    {
        QFETCH(int, field);
        SelectionModel selection;
        QSignalSpy spy(&selection, &SelectionModel::changed);
        auto set = [&](int v) {
            switch (static_cast<SelectionModel::Field>(field)) {
            case SelectionModel::Field::Layer: selection.setLayer(v); break;
            case SelectionModel::Field::LorsaHead: selection.setLorsaHead(v); break;
            case SelectionModel::Field::MhsaHead: selection.setMhsaHead(v); break;
            default: selection.setQueryToken(v); break;
            }
        };
        set(0);  // the initial value: no change
        QCOMPARE(spy.count(), 0);
        set(7);
        set(7);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<SelectionModel::Field>(), static_cast<SelectionModel::Field>(field));
        set(3);
        QCOMPARE(spy.count(), 2);
    }
    void quantity()
    {
        SelectionModel selection;
        QSignalSpy spy(&selection, &SelectionModel::changed);
        selection.setQuantity(HeatmapQuantity::HeadActivation);
        QCOMPARE(spy.count(), 0);
        selection.setQuantity(HeatmapQuantity::MhsaAttention);
        selection.setQuantity(HeatmapQuantity::MhsaAttention);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(selection.quantity(), HeatmapQuantity::MhsaAttention);
    }
};

QTEST_MAIN(TestSelectionModel)
#include "test_selection_model.moc"
