// resolveSelection, the one rule that turns an analysis request's selection intent into the
// selection its result shows, and strongestInductionHead, the bundled demo's starting head.
#include "model/engine/selection_intent.h"

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
        {{8, 7.0f}, {5, 2.0f}},    // token 2: OV 5 (QK 1) at 2.0
        {{13, 3.5f}},              // token 3: OV 13 (QK 3, within 10% of the best) at 3.5
        {{4, 50.0f}},              // token 4: the strongest of all, but its token is new
    };
    // Token ids: tokens 1, 2 and 3 repeat earlier ones (0, 0 and 1); token 4 is new.
    for (const int64_t id : {7, 7, 7, 7, 9})
        analysis.tokens.push_back({id, "t", 0, 0});
    return analysis;
}

// The Lorsa's map (LorsaLayer::qkHeadOf) for 4 OV heads per QK head.
int64_t qkOf(int64_t ov)
{
    return ov / 4;
}

SelectionIntent intent(SelectionIntent::Query query, SelectionIntent::Head head, int32_t token, int32_t lorsaHead)
{
    SelectionIntent out;
    out.query = query;
    out.head = head;
    out.selection.queryToken = token;
    out.selection.lorsaHead = lorsaHead;
    return out;
}

} // namespace

class TestSelectionIntent : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void picksTheStrongestHeadOfTheInductionQkHeads()
    {
        const auto found = strongestInductionHead(analysisWithScores(), qkOf);
        QVERIFY(found.has_value());
        QCOMPARE(found->head, 13);
        QCOMPARE(found->token, 3);
        auto weaker = analysisWithScores();
        weaker.qkHeadScores[3].induction = 0.5;  // no longer an induction head alike
        const auto onlyBest = strongestInductionHead(weaker, qkOf);
        QVERIFY(onlyBest.has_value());
        QCOMPARE(onlyBest->head, 6);
        QCOMPARE(onlyBest->token, 1);
        // The map is the Lorsa's, not re-derived: another map makes other heads induction heads.
        const auto remapped = strongestInductionHead(analysisWithScores(), [](int64_t ov) { return ov == 11 ? 1 : 0; });
        QVERIFY(remapped.has_value());
        QCOMPARE(remapped->head, 11);
    }

    void nothingWithoutScoresOrActivity()
    {
        auto analysis = analysisWithScores();
        analysis.qkHeadScores.clear();
        QVERIFY(!strongestInductionHead(analysis, qkOf).has_value());
        analysis = analysisWithScores();
        analysis.active = {{{0, 1.0f}}, {{11, 1.0f}}};  // only non-induction heads fire
        QVERIFY(!strongestInductionHead(analysis, qkOf).has_value());
    }

    void resolvesEachIntent()
    {
        using Q = SelectionIntent::Query;
        using H = SelectionIntent::Head;
        const auto analysis = analysisWithScores();
        auto s = resolveSelection(analysis, intent(Q::FollowEnd, H::Keep, 1, 6), qkOf);
        QCOMPARE(s.queryToken, 4);
        QCOMPARE(s.lorsaHead, 6);
        s = resolveSelection(analysis, intent(Q::Keep, H::Keep, 2, 6), qkOf);
        QCOMPARE(s.queryToken, 2);
        s = resolveSelection(analysis, intent(Q::Keep, H::Keep, 99, 99), qkOf);  // a shorter prompt, a smaller Lorsa
        QCOMPARE(s.queryToken, 4);
        QCOMPARE(s.lorsaHead, 15);
        s = resolveSelection(analysis, intent(Q::Keep, H::StrongestAtQuery, 2, 0), qkOf);
        QCOMPARE(s.lorsaHead, 8);
        s = resolveSelection(analysis, intent(Q::StrongestForHead, H::Keep, 0, 4), qkOf);
        QCOMPARE(s.queryToken, 4);  // |50| at token 4 beats 1 at token 0
        s = resolveSelection(analysis, intent(Q::FollowEnd, H::StrongestInduction, 0, 0), qkOf);
        QCOMPARE(s.lorsaHead, 13);
        QCOMPARE(s.queryToken, 3);
        auto noInduction = analysis;
        noInduction.qkHeadScores.clear();
        s = resolveSelection(noInduction, intent(Q::FollowEnd, H::StrongestInduction, 0, 0), qkOf);
        QCOMPARE(s.queryToken, 4);  // falls back to the strongest head at the query
        QCOMPARE(s.lorsaHead, 4);
    }

    void keepsTheUsersMhsaChoiceAndHandlesModelOnlySessions()
    {
        auto wanted = intent(SelectionIntent::Query::Keep, SelectionIntent::Head::Keep, 1, 2);
        wanted.selection.mhsaHead = 3;
        QCOMPARE(resolveSelection(analysisWithScores(), wanted, qkOf).mhsaHead, std::optional<int32_t>(3));
        PromptAnalysis modelOnly;
        modelOnly.tokens.resize(3);
        const auto s = resolveSelection(modelOnly, intent(SelectionIntent::Query::FollowEnd, SelectionIntent::Head::StrongestAtQuery, 0, 7), qkOf);
        QCOMPARE(s.queryToken, 2);
        QCOMPARE(s.lorsaHead, 0);
        QCOMPARE(resolveSelection(PromptAnalysis{}, intent(SelectionIntent::Query::FollowEnd, SelectionIntent::Head::Keep, 5, 0), qkOf).queryToken, 0);
    }
};

QTEST_APPLESS_MAIN(TestSelectionIntent)
#include "test_selection_intent.moc"
