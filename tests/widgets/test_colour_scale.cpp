#include "widgets/colour_scale.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <vector>

using namespace lorsa;

class TestColourScale : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sequentialLightnessIsMonotonic()
    {
        // 8-bit rounding may repeat a colour between neighbours, never step back; over four
        // samples lightness must strictly rise.
        std::vector<double> l;
        for (int i = 0; i <= 255; ++i)
            l.push_back(ColourScale::lightness(ColourScale::colourAtUnit(ColourScale::Kind::Sequential, i / 255.0)));
        for (size_t i = 1; i < l.size(); ++i)
            QVERIFY2(l[i] >= l[i - 1], qPrintable(QStringLiteral("L* decreases at %1").arg(i)));
        for (size_t i = 4; i < l.size(); ++i)
            QVERIFY2(l[i] > l[i - 4] + 0.5, qPrintable(QStringLiteral("L* flat at %1").arg(i)));
        QVERIFY(ColourScale::lightness(ColourScale::colourAtUnit(ColourScale::Kind::Sequential, 0)) < 25);
        QVERIFY(ColourScale::lightness(ColourScale::colourAtUnit(ColourScale::Kind::Sequential, 1)) > 85);
    }
    void divergingIsNeutralAtZeroAndMonotonicOnEachSide()
    {
        const ColourScale scale = ColourScale::diverging(2.5);
        const QColor centre = scale.colourAt(0);
        QCOMPARE(centre, QColor(0xf7, 0xf7, 0xf7));
        QVERIFY(std::abs(centre.red() - centre.blue()) <= 2);
        for (int i = 0; i < 128; ++i) {
            const double t = i / 128.0;
            QVERIFY(ColourScale::lightness(scale.colourAt(-2.5 + 2.5 * t)) < ColourScale::lightness(scale.colourAt(-2.5 + 2.5 * (i + 1) / 128.0)));
            QVERIFY(ColourScale::lightness(scale.colourAt(2.5 * t)) > ColourScale::lightness(scale.colourAt(2.5 * (i + 1) / 128.0)));
        }
        // Negative is blue, positive is red.
        QVERIFY(scale.colourAt(-2).blue() > scale.colourAt(-2).red());
        QVERIFY(scale.colourAt(2).red() > scale.colourAt(2).blue());
    }
    void rangesClampAndNaN_data()
    {
        QTest::addColumn<double>("lower");
        QTest::addColumn<double>("upper");
        QTest::addRow("normal") << 0.0 << 4.0;
        QTest::addRow("empty range") << 3.0 << 3.0;
        QTest::addRow("inverted") << 5.0 << 1.0;
        QTest::addRow("nan") << std::nan("") << std::nan("");
        QTest::addRow("infinite") << 0.0 << std::numeric_limits<double>::infinity();
    }
    void rangesClampAndNaN()
    {
        QFETCH(double, lower);
        QFETCH(double, upper);
        const ColourScale scale = ColourScale::sequential(lower, upper);
        QVERIFY(scale.upper() > scale.lower());
        QVERIFY(std::isfinite(scale.lower()) && std::isfinite(scale.upper()));
        QCOMPARE(scale.colourAt(scale.lower() - 100), ColourScale::colourAtUnit(ColourScale::Kind::Sequential, 0));
        QCOMPARE(scale.colourAt(scale.upper() + 100), ColourScale::colourAtUnit(ColourScale::Kind::Sequential, 1));
        QCOMPARE(scale.colourAt(std::nan("")).alpha(), 0);
    }
};

QTEST_MAIN(TestColourScale)
#include "test_colour_scale.moc"
