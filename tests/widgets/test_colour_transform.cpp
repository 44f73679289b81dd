#include "widgets/colour_transform.h"

#include <QtTest>

#include <cmath>

using namespace lorsa;

class TestColourTransform : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void values()
    {
        QCOMPARE(transformedUnit(ColourTransform::Linear, 0.25, 0, 1), 0.25);
        QCOMPARE(transformedUnit(ColourTransform::SquareRoot, 0.25, 0, 1), 0.5);
        QCOMPARE(transformedUnit(ColourTransform::SquareRoot, 0.3, 0.2, 0.6), 0.5);
        // Log over three decades below the top: 1e-3 .. 1.
        QVERIFY(std::abs(transformedUnit(ColourTransform::Log, 0.01, 0, 1) - 1.0 / 3) < 1e-12);
        QVERIFY(std::abs(transformedUnit(ColourTransform::Log, 0.1, 0, 1) - 2.0 / 3) < 1e-12);
        QCOMPARE(transformedUnit(ColourTransform::Log, 0, 0, 1), 0.0);
        QCOMPARE(transformedUnit(ColourTransform::Log, 1, 0.5, 2), 0.5);  // a positive lower end is the floor
        // Clamped outside the range, NaN stays NaN (transparent), an empty range is the first colour.
        for (ColourTransform t : {ColourTransform::Linear, ColourTransform::SquareRoot, ColourTransform::Log}) {
            QCOMPARE(transformedUnit(t, 2, 0, 1), 1.0);
            QCOMPARE(transformedUnit(t, -1, 0, 1), 0.0);
            QVERIFY(std::isnan(transformedUnit(t, std::nan(""), 0, 1)));
            QCOMPARE(transformedUnit(t, 0.5, 1, 1), 0.0);
        }
    }
    void monotonic()
    {
        for (ColourTransform t : {ColourTransform::Linear, ColourTransform::SquareRoot, ColourTransform::Log}) {
            double last = -1;
            for (int i = 0; i <= 1000; ++i) {
                const double u = transformedUnit(t, i / 1000.0 * 0.7, 0, 0.7);
                QVERIFY(u >= last);
                last = u;
            }
            QCOMPARE(last, 1.0);
        }
    }
    // Ticks lie on the bar, in order, each where its value's colour is.
    void ticks()
    {
        for (ColourTransform t : {ColourTransform::Linear, ColourTransform::SquareRoot, ColourTransform::Log}) {
            const std::vector<ColourTick> ticks = colourBarTicks(t, 0, 0.83);
            QVERIFY(ticks.size() >= 3);
            for (size_t i = 0; i < ticks.size(); ++i) {
                QVERIFY(ticks[i].position >= 0 && ticks[i].position <= 1);
                QCOMPARE(ticks[i].position, transformedUnit(t, ticks[i].label.toDouble(), 0, 0.83));
                if (i > 0)
                    QVERIFY(ticks[i].position > ticks[i - 1].position);
            }
        }
        const std::vector<ColourTick> decades = colourBarTicks(ColourTransform::Log, 0, 1);
        QCOMPARE(decades.size(), size_t(4));
        QCOMPARE(decades.front().label, QStringLiteral("0.001"));
        QCOMPARE(decades.back().label, QStringLiteral("1"));
        const std::vector<ColourTick> diverging = colourBarTicks(ColourTransform::Linear, -0.3, 0.3);
        QVERIFY(std::any_of(diverging.begin(), diverging.end(), [](const ColourTick& tick) { return tick.label == QStringLiteral("0"); }));
        QVERIFY(colourBarTicks(ColourTransform::Linear, 1, 1).empty());
    }
    void keys()
    {
        for (ColourTransform t : {ColourTransform::Linear, ColourTransform::SquareRoot, ColourTransform::Log})
            QCOMPARE(colourTransformFromKey(colourTransformKey(t)), t);
        QVERIFY(!colourTransformFromKey(QStringLiteral("cubic")));
    }
};

QTEST_APPLESS_MAIN(TestColourTransform)
#include "test_colour_transform.moc"
