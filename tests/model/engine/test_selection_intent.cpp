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

/// 4 QK heads of 4 OV heads each (or another map of OV to QK heads); QK heads 1 and 3 are
/// induction heads (3 slightly weaker), or \p induction3 for QK head 3's score.
SessionConstantsPtr constants(double induction3 = 0.85, bool scores = true, std::vector<int32_t> qkHeadOfOv = {})
{
    auto shared = std::make_shared<SessionConstants>();
    shared->nQkHeads = 4;
    shared->nOvHeads = 16;
    if (scores)
        shared->qkHeadScores = {qkScore(0, 0.1), qkScore(1, 0.9), qkScore(2, 0.3), qkScore(3, induction3)};
    if (qkHeadOfOv.empty())
        for (int32_t ov = 0; ov < 16; ++ov)
            qkHeadOfOv.push_back(ov / 4);
    shared->qkHeadOfOv = std::move(qkHeadOfOv);
    return shared;
}

PromptAnalysis analysisWithScores(SessionConstantsPtr session = constants())
{
    PromptAnalysis analysis;
    analysis.session = std::move(session);
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
        const auto found = strongestInductionHead(analysisWithScores());
        QVERIFY(found.has_value());
        QCOMPARE(found->head, 13);
        QCOMPARE(found->token, 3);
        const auto weaker = analysisWithScores(constants(0.5));  // QK head 3 no longer an induction head alike
        const auto onlyBest = strongestInductionHead(weaker);
        QVERIFY(onlyBest.has_value());
        QCOMPARE(onlyBest->head, 6);
        QCOMPARE(onlyBest->token, 1);
        // The map is the engine's, not re-derived: another map makes other heads induction heads.
        std::vector<int32_t> map(16, 0);
        map[11] = 1;
        const auto remapped = strongestInductionHead(analysisWithScores(constants(0.85, true, map)));
        QVERIFY(remapped.has_value());
        QCOMPARE(remapped->head, 11);
    }

    void nothingWithoutScoresOrActivity()
    {
        QVERIFY(!strongestInductionHead(analysisWithScores(constants(0.85, false))).has_value());
        auto analysis = analysisWithScores();
        analysis.active = {{{0, 1.0f}}, {{11, 1.0f}}};  // only non-induction heads fire
        QVERIFY(!strongestInductionHead(analysis).has_value());
        analysis.session.reset();
        QVERIFY(!strongestInductionHead(analysis).has_value());
    }

    void resolvesEachIntent()
    {
        using Q = SelectionIntent::Query;
        using H = SelectionIntent::Head;
        const auto analysis = analysisWithScores();
        auto s = resolveSelection(analysis, intent(Q::FollowEnd, H::Keep, 1, 6));
        QCOMPARE(s.queryToken, 4);
        QCOMPARE(s.lorsaHead, 6);
        s = resolveSelection(analysis, intent(Q::Keep, H::Keep, 2, 6));
        QCOMPARE(s.queryToken, 2);
        s = resolveSelection(analysis, intent(Q::Keep, H::Keep, 99, 99));  // a shorter prompt, a smaller Lorsa
        QCOMPARE(s.queryToken, 4);
        QCOMPARE(s.lorsaHead, 15);
        s = resolveSelection(analysis, intent(Q::Keep, H::StrongestAtQuery, 2, 0));
        QCOMPARE(s.lorsaHead, 8);
        s = resolveSelection(analysis, intent(Q::StrongestForHead, H::Keep, 0, 4));
        QCOMPARE(s.queryToken, 4);  // |50| at token 4 beats 1 at token 0
        s = resolveSelection(analysis, intent(Q::FollowEnd, H::StrongestInduction, 0, 0));
        QCOMPARE(s.lorsaHead, 13);
        QCOMPARE(s.queryToken, 3);
        const auto noInduction = analysisWithScores(constants(0.85, false));
        s = resolveSelection(noInduction, intent(Q::FollowEnd, H::StrongestInduction, 0, 0));
        QCOMPARE(s.queryToken, 4);  // falls back to the strongest head at the query
        QCOMPARE(s.lorsaHead, 4);
    }

    void keepsTheUsersMhsaChoiceAndHandlesModelOnlySessions()
    {
        auto wanted = intent(SelectionIntent::Query::Keep, SelectionIntent::Head::Keep, 1, 2);
        wanted.selection.mhsaHead = 3;
        QCOMPARE(resolveSelection(analysisWithScores(), wanted).mhsaHead, std::optional<int32_t>(3));
        PromptAnalysis modelOnly;
        modelOnly.tokens.resize(3);
        const auto s = resolveSelection(modelOnly, intent(SelectionIntent::Query::FollowEnd, SelectionIntent::Head::StrongestAtQuery, 0, 7));
        QCOMPARE(s.queryToken, 2);
        QCOMPARE(s.lorsaHead, 0);
        QCOMPARE(resolveSelection(PromptAnalysis{}, intent(SelectionIntent::Query::FollowEnd, SelectionIntent::Head::Keep, 5, 0)).queryToken, 0);
    }
};

QTEST_APPLESS_MAIN(TestSelectionIntent)
#include "test_selection_intent.moc"
