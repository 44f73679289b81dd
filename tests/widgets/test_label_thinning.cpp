#include "widgets/label_thinning.h"

#include <QtTest>

using namespace lorsa;

class TestLabelThinning : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Every prompt length on every axis length: labels step tokens apart are at least one label
    // extent apart (never overlap), and a step one smaller would make them overlap (as many as fit).
    void labelsNeverOverlapAndAsManyAsFit()
    {
        for (int span : {1, 2, 7, 15, 40, 64, 100, 257, 1000, 2048, 16384})
            for (double pixels : {0.5, 20.0, 93.0, 180.0, 417.5, 1200.0})
                for (double extent : {6.0, 9.3, 12.0, 30.0}) {
                    const int step = labelStep(span, pixels, extent);
                    const double tokenPx = pixels / span;
                    const std::vector<int> shown = labelledTokens(0, span - 1, step);
                    QVERIFY(!shown.empty());
                    for (size_t i = 1; i < shown.size(); ++i)
                        QVERIFY2((shown[i] - shown[i - 1]) * tokenPx >= extent - 1e-9,
                                 qPrintable(QStringLiteral("span %1, %2 px, extent %3: step %4").arg(span).arg(pixels).arg(extent).arg(step)));
                    if (step > 1 && shown.size() > 1)
                        QVERIFY((step - 1) * tokenPx < extent);
                }
    }
    void degenerateAxes()
    {
        QCOMPARE(labelStep(15, 0, 10), 16);   // no pixels: one label at most
        QCOMPARE(labelStep(15, -3, 10), 16);
        QCOMPARE(labelStep(0, 100, 10), 1);
        QCOMPARE(labelStep(15, 1000, 0), 1);
        QCOMPARE(labelledTokens(0, 14, 16), std::vector<int>{0});
    }
    // Multiples of the step, so that labels stay on their tokens while the view scrolls.
    void labelledTokensAreMultiples()
    {
        QCOMPARE(labelledTokens(0, 10, 3), (std::vector<int>{0, 3, 6, 9}));
        QCOMPARE(labelledTokens(4, 10, 3), (std::vector<int>{6, 9}));
        QCOMPARE(labelledTokens(-2, 2, 1), (std::vector<int>{0, 1, 2}));
        QVERIFY(labelledTokens(5, 4, 1).empty());
    }
    void longLabelsAreCut()
    {
        QCOMPARE(tokenAxisLabel(QStringLiteral("short")), QStringLiteral("short"));
        QCOMPARE(tokenAxisLabel(QStringLiteral("<|endoftext|>")), QStringLiteral("<|endofte") + QChar(0x2026));
    }
};

QTEST_APPLESS_MAIN(TestLabelThinning)
#include "test_label_thinning.moc"
