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

/// 4 QK heads of 4 OV heads each; QK heads 1 and 3 are induction heads (3 slightly weaker).
PromptAnalysis analysisWithScores()
{
    PromptAnalysis analysis;
    analysis.nQkHeads = 4;
    analysis.nOvHeads = 16;
    analysis.qkHeadScores = {qkScore(0, 0.1), qkScore(1, 0.9), qkScore(2, 0.3), qkScore(3, 0.85)};
    analysis.active = {
        {{0, 5.0f}, {4, 1.0f}},    // token 0: OV 4 (QK 1) weakly
        {{11, 9.0f}, {6, 2.5f}},   // token 1: OV 6 (QK 1) at 2.5, OV 11 (QK 2, no induction) at 9
        {{5, 2.0f}, {8, 7.0f}},    // token 2: OV 5 (QK 1) at 2.0
        {{13, 3.5f}},              // token 3: OV 13 (QK 3, within 10% of the best) at 3.5
        {{4, 50.0f}},              // token 4: the strongest of all, but its token is new
    };
    // Token ids: tokens 1, 2 and 3 repeat earlier ones (0, 0 and 1); token 4 is new.
    for (const int64_t id : {7, 7, 7, 7, 9})
        analysis.tokens.push_back({id, "t", 0, 0});
    return analysis;
}

} // namespace

class TestBundledDemo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void picksTheStrongestHeadOfTheInductionQkHeads()
    {
        const auto found = strongestInductionHead(analysisWithScores());
        QVERIFY(found.has_value());
        QCOMPARE(found->head, 13);
        QCOMPARE(found->token, 3);
        auto weaker = analysisWithScores();
        weaker.qkHeadScores[3].induction = 0.5;  // no longer an induction head alike
        const auto onlyBest = strongestInductionHead(weaker);
        QVERIFY(onlyBest.has_value());
        QCOMPARE(onlyBest->head, 6);
        QCOMPARE(onlyBest->token, 1);
    }

    void nothingWithoutScoresOrActivity()
    {
        auto analysis = analysisWithScores();
        analysis.qkHeadScores.clear();
        QVERIFY(!strongestInductionHead(analysis).has_value());
        analysis = analysisWithScores();
        analysis.active = {{{0, 1.0f}}, {{11, 1.0f}}};  // only non-induction heads fire
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
