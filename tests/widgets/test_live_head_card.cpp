// The live head card: the selected head's card filled from the current result, the same figure as
// the atlas's head card.
#include "tests/widgets/synthetic_analysis.h"
#include "widgets/live_head_card.h"
#include "widgets/qcustomplot_include.h"

#include <QImage>
#include <QJsonArray>
#include <QtTest>

#include <algorithm>

using namespace lorsa;

namespace {

HeadDetailPtr detailWithTokens(const PromptAnalysis& analysis, int head, int query)
{
    auto detail = std::make_shared<HeadDetail>(*test::makeDetail(analysis, head, 1, query));
    detail->promotedTokens = {{11, " Paris", 2.5f}, {12, "\n", 1.25f}};
    detail->suppressedTokens = {{13, " London", -1.75f}};
    return detail;
}

} // namespace

class TestLiveHeadCard : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cardHoldsTheSelectedHeadOnThisPrompt()
    {
        auto analysis = std::const_pointer_cast<PromptAnalysis>(test::makeAnalysis(24));
        auto session = std::make_shared<SessionConstants>(*analysis->session);
        for (int q = 0; q < session->nQkHeads; ++q)
            session->qkHeadScores.push_back({"lorsa_qk", 3, q, 0.1 * q, 0.5, 0.0, 0.25});
        analysis->session = session;
        const int head = 5, query = 17;
        const auto detail = detailWithTokens(*analysis, head, query);
        const HeadCardData card = liveHeadCardData(*analysis, *detail);

        QCOMPARE(card.head.head, int64_t(head));
        QCOMPARE(card.head.qkHead, int64_t(detail->qkHead));
        QCOMPARE(card.head.scores.induction, 0.1 * detail->qkHead);
        // Counted over the tokens after the first, as the atlas counts.
        int64_t active = 0;
        double max = 0, sum = 0;
        for (size_t t = 1; t < detail->headActivation.size(); ++t)
            if (detail->headActivation[t] != 0.0f) {
                ++active;
                sum += detail->headActivation[t];
                max = std::max(max, double(detail->headActivation[t]));
            }
        QVERIFY(active > 0);
        QCOMPARE(card.head.activeCount, active);
        QCOMPARE(card.head.max, max);
        QCOMPARE(card.head.frequency, double(active) / 23.0);
        QCOMPARE(card.head.meanActive, sum / double(active));
        const auto closest = std::min_element(detail->mhsaSimilarity.begin(), detail->mhsaSimilarity.end());
        QCOMPARE(card.head.similarMhsaHead, int64_t(closest - detail->mhsaSimilarity.begin()));

        QCOMPARE(card.contexts.size(), size_t(1));
        const AtlasContext& context = card.contexts.front();
        QCOMPARE(context.tokens.size(), analysis->tokens.size());
        QCOMPARE(context.tokenTexts[4], analysis->tokens[4].text);
        QCOMPARE(context.activations, detail->headActivation);
        QCOMPARE(context.position, int64_t(query));
        QCOMPARE(context.activation, detail->headActivation[query]);
        QCOMPARE(context.zPattern.size(), size_t(query + 1));
        for (int key = 0; key <= query; ++key)
            QCOMPARE(context.zPattern[static_cast<size_t>(key)], detail->zPattern.at(query, key));
        QVERIFY(!card.histogram);
        QCOMPARE(card.captions.size(), 1);
        QVERIFY(card.title.contains(QStringLiteral("layer 3")));
    }

    void factsListTokensWithTheirLogitEffects()
    {
        const auto analysis = test::makeAnalysis(12);
        const HeadCardData card = liveHeadCardData(*analysis, *detailWithTokens(*analysis, 2, 6));
        const QStringList facts = headCardFacts(card.head);
        QCOMPARE(facts.size(), 3);
        QVERIFY2(facts[0].startsWith(QStringLiteral("QK head %1: induction").arg(card.head.qkHead)), qPrintable(facts[0]));
        QVERIFY2(facts[0].contains(QStringLiteral("closest MHSA head")), qPrintable(facts[0]));
        QVERIFY2(facts[1].startsWith(QStringLiteral("Promotes: ")) && facts[1].contains(QStringLiteral("Paris 2.50")), qPrintable(facts[1]));
        QVERIFY2(facts[2].contains(QStringLiteral("London -1.75")), qPrintable(facts[2]));

        AtlasHead bare;
        QCOMPARE(headCardFacts(bare).size(), 1);  // nothing promoted or suppressed: no empty lines
    }

    void viewDrawsAndExportsTheCard()
    {
        const auto analysis = test::makeAnalysis(30);
        LiveHeadCard view;
        const double empty = view.figureHeight(600);
        view.setResult(test::makeResult(analysis, detailWithTokens(*analysis, 7, 20)));
        const double height = view.figureHeight(600);
        QVERIFY(height > empty);
        QCOMPARE(view.heightForWidth(600), static_cast<int>(std::ceil(height)));

        QImage image(600, static_cast<int>(height), QImage::Format_ARGB32);
        image.fill(Qt::black);
        QCPPainter painter(&image);
        view.renderFigure(painter, QRectF(0, 0, 600, height), Theme::light());
        painter.end();
        QCOMPARE(image.pixelColor(599, static_cast<int>(height) - 1), Theme::light().background);  // filled to the edge

        const DataTable data = view.figureData();
        QCOMPARE(data.rows.size(), qsizetype(30));
        QCOMPARE(data.meta.value(QStringLiteral("head")).toInteger(), 7);
        QCOMPARE(data.meta.value(QStringLiteral("lorsa")).toString(), QStringLiteral("lorsa-L3-pythia-70m"));
        const QJsonArray promoted = data.meta.value(QStringLiteral("promoted")).toArray();
        QCOMPARE(promoted.size(), 2);
        QCOMPARE(promoted[1].toObject().value(QStringLiteral("token")).toString(), QStringLiteral("\n"));  // exact text
        QCOMPARE(promoted[1].toObject().value(QStringLiteral("logit")).toDouble(), 1.25);

        view.setResult(test::makeResult(analysis));  // model only: no head, the empty card
        QCOMPARE(view.figureHeight(600), empty);
        QVERIFY(view.figureData().rows.isEmpty());
    }
};

QTEST_MAIN(TestLiveHeadCard)
#include "test_live_head_card.moc"
