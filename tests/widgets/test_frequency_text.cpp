#include "widgets/frequency_text.h"

#include <QtTest>

using namespace lorsa;

class TestFrequencyText : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesAPercentage_data()
    {
        QTest::addColumn<double>("fraction");
        QTest::addColumn<QString>("text");
        QTest::addRow("none") << 0.0 << QStringLiteral("0%");
        QTest::addRow("every token") << 1.0 << QStringLiteral("100.0%");
        QTest::addRow("common") << 0.4931 << QStringLiteral("49.3%");
        QTest::addRow("whole percent") << 0.6 << QStringLiteral("60.0%");
        QTest::addRow("a few percent") << 0.02194 << QStringLiteral("2.2%");
        QTest::addRow("just under one percent") << 0.00996 << QStringLiteral("1.00%");
        QTest::addRow("rare") << 0.000703 << QStringLiteral("0.070%");
        QTest::addRow("half a percent") << 0.005 << QStringLiteral("0.50%");
        QTest::addRow("one in 30,000") << 1.0 / 30000 << QStringLiteral("0.0033%");
        QTest::addRow("not a number") << std::nan("") << QStringLiteral("0%");
    }
    void writesAPercentage()
    {
        QFETCH(double, fraction);
        QFETCH(QString, text);
        QCOMPARE(frequencyText(fraction), text);
    }
};

QTEST_APPLESS_MAIN(TestFrequencyText)
#include "test_frequency_text.moc"
