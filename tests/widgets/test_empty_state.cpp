// Every view says why it has nothing to show, centred in place of its plots: nothing loaded,
// nothing analysed, a failed analysis, or (model-only mode) no Lorsa for the views of a Lorsa's
// heads; the fidelity panel warns when the Lorsa explains the prompt worse than a constant.

#include "tests/widgets/synthetic_analysis.h"
#include "widgets/empty_state_cover.h"
#include "widgets/fidelity_panel.h"
#include "widgets/selection_model.h"
#include "widgets/token_heatmap_view.h"
#include "widgets/view_registry.h"

#include <QLabel>
#include <QtTest>

#include <cmath>

using namespace lorsa;

namespace {

// What the engine returns without a Lorsa: the prompt's tokens, no heads, and a detail holding
// only the selected MHSA head's pattern (of a layer's MHSA heads with their scores).
ExplorerResultPtr modelOnlyResult(const PromptAnalysis& withLorsa, int mhsaHead, int query)
{
    auto session = std::make_shared<SessionConstants>(*withLorsa.session);
    session->lorsaName.clear();
    session->lorsaPath.clear();
    session->nOvHeads = 0;
    session->nQkHeads = 0;
    session->qkHeadOfOv.clear();
    session->decoderNorms.clear();
    auto analysis = std::make_shared<PromptAnalysis>();
    analysis->session = session;
    analysis->promptText = withLorsa.promptText;
    analysis->tokens = withLorsa.tokens;
    const auto full = test::makeDetail(withLorsa, 0, mhsaHead, query);
    auto detail = std::make_shared<HeadDetail>();
    detail->mhsaHead = mhsaHead;
    detail->queryToken = query;
    detail->mhsaPattern = full->mhsaPattern;
    return test::makeResult(analysis, detail);
}

QLabel* coverLabel(AnalysisView& view)
{
    return view.widget()->findChild<QLabel*>(QStringLiteral("emptyState"), Qt::FindDirectChildrenOnly);
}

} // namespace

class TestEmptyState : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reasons()
    {
        const auto analysis = test::makeAnalysis(12);
        const auto full = test::makeResult(analysis, test::makeDetail(*analysis, 3, 1, 5));
        const auto modelOnly = modelOnlyResult(*analysis, 1, 5);
        QCOMPARE(emptyReasonFor(nullptr, true), EmptyReason::NotAnalysed);
        QCOMPARE(emptyReasonFor(nullptr, false), EmptyReason::NotAnalysed);
        QCOMPARE(emptyReasonFor(full, true), EmptyReason::None);
        QCOMPARE(emptyReasonFor(modelOnly, true), EmptyReason::NeedsLorsa);
        QCOMPARE(emptyReasonFor(modelOnly, false), EmptyReason::None);
        QVERIFY(emptyStateText(EmptyReason::None).isEmpty());
        QVERIFY(emptyStateText(EmptyReason::NothingLoaded).contains(QStringLiteral("Open a model folder")));
        QVERIFY(emptyStateText(EmptyReason::NotAnalysed).contains(QStringLiteral("Type a prompt")));
        QVERIFY(emptyStateText(EmptyReason::AnalysisFailed).contains(QStringLiteral("failed")));
        QVERIFY(emptyStateText(EmptyReason::NeedsLorsa).contains(QStringLiteral("needs a Lorsa")));
    }

    void everyViewShowsItsEmptyState()
    {
        const auto analysis = test::makeAnalysis(16);
        const auto full = test::makeResult(analysis, test::makeDetail(*analysis, 3, 1, 9));
        const auto modelOnly = modelOnlyResult(*analysis, 2, 9);
        SelectionModel selection;
        selection.setLorsaHead(3);
        selection.setQueryToken(9);
        for (const QString& name : analysisViewNames()) {
            const auto view = makeAnalysisView(name, &selection);
            view->widget()->resize(400, 300);
            view->widget()->show();  // a hidden widget gets its resize events when shown
            EmptyStateCover cover(view.get());
            QLabel* label = coverLabel(*view);
            QVERIFY2(label, qPrintable(name));
            // Nothing loaded: the message covers the whole view, centred.
            QCOMPARE(cover.reason(), EmptyReason::NothingLoaded);
            QVERIFY(label->isVisibleTo(view->widget()));
            QCOMPARE(label->geometry(), view->widget()->rect());
            QVERIFY(label->alignment() & Qt::AlignCenter);
            QCOMPARE(cover.message(), emptyStateText(EmptyReason::NothingLoaded));
            view->widget()->resize(500, 320);
            QCOMPARE(label->geometry(), view->widget()->rect());

            cover.setResult(full);
            QCOMPARE(cover.reason(), EmptyReason::None);
            QVERIFY2(!label->isVisibleTo(view->widget()), qPrintable(name));
            QVERIFY(cover.message().isEmpty());
            QVERIFY(!view->figureData().rows.isEmpty());

            // A failed analysis: the message, and no stale data behind it.
            cover.showEmpty(EmptyReason::AnalysisFailed);
            QVERIFY(label->isVisibleTo(view->widget()));
            QVERIFY(cover.message().contains(QStringLiteral("failed")));
            QVERIFY2(view->figureData().rows.isEmpty(), qPrintable(name));

            cover.setResult(nullptr);
            QCOMPARE(cover.reason(), EmptyReason::NotAnalysed);

            // Model only: the tokens coloured by the MHSA head's attention, its map in the QK view;
            // the views of a Lorsa's heads say what they need.
            cover.setResult(modelOnly);
            if (name == QStringLiteral("heatmap")) {
                QCOMPARE(cover.reason(), EmptyReason::None);
                QVERIFY(!label->isVisibleTo(view->widget()));
                const DataTable data = view->figureData();
                QCOMPARE(data.rows.size(), 16);
                const QString quantity = data.meta[QStringLiteral("quantity")].toString();
                QVERIFY2(quantity.contains(QStringLiteral("MHSA head 2")) && quantity.contains(QStringLiteral("from token 9")),
                         qPrintable(quantity));
                // Attention of query 9: keys 0..9 carry the pattern's row, later keys nothing.
                const auto* heatmap = dynamic_cast<TokenHeatmapView*>(view.get());
                QVERIFY(heatmap);
                for (int t = 0; t < 16; ++t) {
                    if (t <= 9)
                        QCOMPARE(heatmap->values()[size_t(t)], double(modelOnly->detail->mhsaPattern.at(9, t)));
                    else
                        QVERIFY(std::isnan(heatmap->values()[size_t(t)]));
                }
            } else if (name == QStringLiteral("qk")) {
                QCOMPARE(cover.reason(), EmptyReason::None);
                QVERIFY(!label->isVisibleTo(view->widget()));
                const DataTable data = view->figureData();
                QCOMPARE(data.columns.last(), QStringLiteral("mhsa"));
                QVERIFY(!data.columns.contains(QStringLiteral("lorsa")));
                QCOMPARE(data.rows.size(), 16 * 17 / 2);
                QCOMPARE(data.meta[QStringLiteral("mhsa_head")].toInt(), 2);
                QCOMPARE(data.rows.last().last().toDouble(), double(modelOnly->detail->mhsaPattern.at(15, 15)));
                // Back to a Lorsa: all three maps again.
                cover.setResult(full);
                QVERIFY(view->figureData().columns.contains(QStringLiteral("lorsa")));
            } else {
                QCOMPARE(cover.reason(), EmptyReason::NeedsLorsa);
                QVERIFY2(label->isVisibleTo(view->widget()), qPrintable(name));
                QVERIFY(cover.message().contains(QStringLiteral("needs a Lorsa")));
            }
        }
    }

    void fidelityPanelWarnsAboveOne()
    {
        FidelityPanel panel;
        auto analysis = std::make_shared<PromptAnalysis>(*test::makeAnalysis(12));
        panel.setResult(test::makeResult(analysis));
        auto* warning = panel.findChild<QLabel*>(QStringLiteral("fidelityWarning"));
        QVERIFY(warning);
        QVERIFY(panel.warning().isEmpty());
        QVERIFY(!warning->isVisibleTo(&panel));
        auto bad = std::make_shared<PromptAnalysis>(*analysis);
        bad->fidelity.fvu = 1.37;
        panel.setResult(test::makeResult(bad));
        QVERIFY(panel.warning().contains(QStringLiteral("FVU above 1")));
        QVERIFY(warning->isVisibleTo(&panel));
        QCOMPARE(warning->text(), panel.warning());
    }
};

QTEST_MAIN(TestEmptyState)
#include "test_empty_state.moc"
