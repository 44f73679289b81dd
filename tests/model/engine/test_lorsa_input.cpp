#include "model/core/error.h"
#include "model/engine/lorsa_input.h"

#include <QtTest>

#include <limits>

using namespace lorsa;

class TestLorsaInput : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void decides_data()
    {
        QTest::addColumn<double>("normalized");
        QTest::addColumn<double>("affine");
        QTest::addColumn<int>("fallback");
        QTest::addColumn<int>("expected");
        QTest::addColumn<bool>("detected");
        QTest::addRow("normalized clearly better") << 0.1 << 0.9 << int(LorsaInputMode::Affine) << int(LorsaInputMode::Normalized) << true;
        QTest::addRow("affine clearly better") << 0.8 << 0.2 << int(LorsaInputMode::Normalized) << int(LorsaInputMode::Affine) << true;
        QTest::addRow("too close") << 0.30 << 0.33 << int(LorsaInputMode::Affine) << int(LorsaInputMode::Affine) << false;
        QTest::addRow("both useless") << 1.4 << 3.0 << int(LorsaInputMode::Normalized) << int(LorsaInputMode::Normalized) << false;
        QTest::addRow("nan") << std::numeric_limits<double>::quiet_NaN() << 0.1 << int(LorsaInputMode::Normalized)
                             << int(LorsaInputMode::Normalized) << false;
    }
    void decides()
    {
        QFETCH(double, normalized);
        QFETCH(double, affine);
        QFETCH(int, fallback);
        QFETCH(int, expected);
        QFETCH(bool, detected);
        const auto evidence = decideInputMode(normalized, affine, LorsaInputMode(fallback), 100);
        QCOMPARE(int(evidence.chosen), expected);
        QCOMPARE(evidence.how == "detected", detected);
        QVERIFY(evidence.summary().find("100 tokens") != std::string::npos);
    }

    void parsesNames()
    {
        QCOMPARE(parseInputMode("affine"), LorsaInputMode::Affine);
        QCOMPARE(parseInputMode("normalized"), LorsaInputMode::Normalized);
        QVERIFY_THROWS_EXCEPTION(Error, parseInputMode("raw"));
    }
};

QTEST_APPLESS_MAIN(TestLorsaInput)
#include "test_lorsa_input.moc"
