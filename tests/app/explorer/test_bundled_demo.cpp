#include "app/explorer/bundled_demo.h"

#include <QtTest>

using namespace lorsa;

namespace {

HeadScore qkScore(int64_t head, double induction)
{
    HeadScore score;
    score.kind = "lorsa_qk";
    score.head = head;
    score.induction = induction;
    return score;
}

/// 3 QK heads of 4 OV heads each; QK head 1 is the induction head.
PromptAnalysis analysisWithScores()
{
    PromptAnalysis analysis;
    analysis.nQkHeads = 3;
    analysis.nOvHeads = 12;
    analysis.qkHeadScores = {qkScore(0, 0.1), qkScore(1, 0.9), qkScore(2, 0.3)};
    analysis.active = {
        {{0, 5.0f}, {4, 1.0f}},    // token 0: OV 4 (QK 1) weakly
        {{11, 9.0f}, {6, 2.5f}},   // token 1: OV 6 (QK 1) at 2.5
        {{5, 2.0f}, {8, 7.0f}},    // token 2: OV 5 (QK 1) at 2.0
    };
    return analysis;
}

} // namespace

class TestBundledDemo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void picksTheStrongestHeadOfTheBestInductionQkHead()
    {
        const auto found = strongestInductionHead(analysisWithScores());
        QVERIFY(found.has_value());
        QCOMPARE(found->head, 6);
        QCOMPARE(found->token, 1);
    }

    void nothingWithoutScoresOrActivity()
    {
        auto analysis = analysisWithScores();
        analysis.qkHeadScores.clear();
        QVERIFY(!strongestInductionHead(analysis).has_value());
        analysis = analysisWithScores();
        analysis.active = {{{0, 1.0f}}, {{11, 1.0f}}};
        QVERIFY(!strongestInductionHead(analysis).has_value());
    }

    void theShippedDemoIsFoundAndItsPromptRepeats()
    {
        const auto demo = findBundledDemo();
        QVERIFY(demo.has_value());
        QVERIFY(QFileInfo::exists(demo->modelDir + QStringLiteral("/model.safetensors")));
        QVERIFY(QFileInfo::exists(demo->lorsaDir + QStringLiteral("/sae_weights.safetensors")));
        // The prompt's second half repeats a long stretch of the first: what induction heads need.
        const QString prompt = bundledDemoPrompt();
        const QString repeated = QStringLiteral("Make thee an ark of gopher wood");
        QCOMPARE(prompt.count(repeated), 2);
    }
};

QTEST_GUILESS_MAIN(TestBundledDemo)
#include "test_bundled_demo.moc"
