#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "model/engine/engine.h"
#include "model/engine/explorer_session.h"
#include "model/transformer/transformer.h"
#include "tests/model/engine/exact_lorsa.h"
#include "tests/support/cpu_engine_options.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

#include <algorithm>
#include <numeric>

using namespace lorsa;

class TestExplorerSession : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    std::unique_ptr<ExplorerSession> m_session;

    /// The fixture model without a Lorsa.
    EngineOptions modelOnlyOptions() const { return test::cpuEngineOptions(m_dir / "gpt2"); }

private Q_SLOTS:
    void initTestCase()
    {
        test::Gpt2FixtureOptions model;
        test::writeTinyGpt2(m_dir / "gpt2", model);
        std::filesystem::create_directories(m_dir / "lorsa");
        test::writeExactGpt2Lorsa(m_dir / "lorsa", m_dir / "gpt2", 1, model.nHeads, false);
        auto options = test::cpuEngineOptions(m_dir / "gpt2", m_dir / "lorsa");
        std::vector<double> fractions;
        options.progress = [&](double fraction, const std::string&) { fractions.push_back(fraction); };
        m_session = ExplorerSession::open(options);
        QVERIFY(!fractions.empty());
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QCOMPARE(fractions.back(), 1.0);
        QCOMPARE(m_session->info().layer, 1);
        QCOMPARE(m_session->info().nOvHeads, 64);
        QCOMPARE(m_session->info().device, std::string("cpu"));
        // Head scores: the Lorsa layer's MHSA heads, then every QK head.
        const auto& scores = m_session->info().headScores;
        const auto qk = std::count_if(scores.begin(), scores.end(), [](const HeadScore& s) { return s.kind == "lorsa_qk"; });
        QCOMPARE(static_cast<int32_t>(qk), m_session->info().nQkHeads);
        QCOMPARE(static_cast<int32_t>(scores.size()) - static_cast<int32_t>(qk), m_session->info().nMhsaHeads);
        for (const auto& score : scores)
            QVERIFY(score.layer == 1 && score.induction >= 0 && score.induction <= 1);
    }

    void analysisIsConsistent()
    {
        const auto analysis = m_session->analyze("John gave Mary a book, and Mary gave John a pen.", true, 7);
        QCOMPARE(analysis->generation, uint64_t(7));
        const auto T = analysis->tokens.size();
        QVERIFY(T > 10);
        QCOMPARE(analysis->active.size(), T);
        QCOMPARE(analysis->activeCount.size(), T);
        QCOMPARE(analysis->session->decoderNorms.size(), size_t(64));
        QCOMPARE(static_cast<int32_t>(analysis->session->qkHeadScores.size()), m_session->info().nQkHeads);
        QCOMPARE(static_cast<int32_t>(analysis->session->mhsaHeadScores.size()), m_session->info().nMhsaHeads);
        for (size_t t = 0; t < T; ++t) {
            const auto& list = analysis->active[t];
            QCOMPARE(float(list.size()), analysis->activeCount[t]);
            QVERIFY(std::is_sorted(list.begin(), list.end(), [](auto a, auto b) { return a.activation > b.activation; }));
            float total = 0, shares = 0;
            for (const auto& head : list)
                total += std::abs(head.activation) * analysis->session->decoderNorms[size_t(head.head)];
            for (const auto& head : list) {
                const float expected = std::abs(head.activation) * analysis->session->decoderNorms[size_t(head.head)] / total;
                QVERIFY(std::abs(head.share - expected) <= 1e-5f);
                shares += head.share;
            }
            if (!list.empty())
                QVERIFY(std::abs(shares - 1.0f) <= 1e-5f);
        }
        QVERIFY(analysis->fidelity.fvu < 1e-8);
        QCOMPARE(analysis->headPromotedTokens.size(), size_t(64));
        // All 64 heads fit the attribution budget of one analysis: every active head has tokens.
        for (size_t head = 0; head < 64; ++head) {
            const bool active = std::any_of(analysis->active.begin(), analysis->active.end(), [&](const auto& list) {
                return std::any_of(list.begin(), list.end(), [&](const auto& h) { return size_t(h.head) == head; });
            });
            QCOMPARE(analysis->headPromotedTokens[head].empty(), !active);
            QCOMPARE(analysis->headValueTokens[head].empty(), !active);
            QCOMPARE(analysis->headSuppressedTokens[head].empty(), !active);
            for (const auto& token : analysis->headPromotedTokens[head])
                QVERIFY(token.id < 267);  // never a padding row beyond the tokenizer
            const auto& suppressed = analysis->headSuppressedTokens[head];
            // The most negative logit effects first, all below the promoted ones.
            QVERIFY(std::is_sorted(suppressed.begin(), suppressed.end(), [](const auto& a, const auto& b) { return a.score < b.score; }));
            if (active)
                QVERIFY(suppressed.front().score < analysis->headPromotedTokens[head].back().score);
        }
        QCOMPARE(analysis->fidelity.errorPerToken.size(), T);
        QVERIFY(analysis->tokens.front().byteBegin == 0 && analysis->tokens.front().byteEnd == 0);  // BOS
        QCOMPARE(analysis->tokens.back().byteEnd, int64_t(std::string("John gave Mary a book, and Mary gave John a pen.").size()));
    }

    void headDetailMatchesTheModel()
    {
        const auto analysis = m_session->analyze("The cat sat on the mat. The cat sat on the", true, 8);
        const int T = int(analysis->tokens.size());
        // OV head 2*8*2 + 1 = 33 reads QK head 2, which copies MHSA head 2 exactly.
        const auto detail = m_session->headDetail(33, std::nullopt, T - 1, 8);
        QCOMPARE(detail->qkHead, 2);
        QCOMPARE(detail->mhsaHead, 2);
        QVERIFY(detail->mhsaSimilarity[2] < 1e-3f);
        QCOMPARE(detail->lorsaPattern.rows, int64_t(T));
        for (int q = 0; q < T; ++q) {
            float rowSum = 0;
            for (int k = 0; k < T; ++k) {
                rowSum += detail->lorsaPattern.at(q, k);
                if (k > q)
                    QCOMPARE(detail->lorsaPattern.at(q, k), 0.0f);
                QVERIFY(std::abs(detail->lorsaPattern.at(q, k) - detail->mhsaPattern.at(q, k)) < 1e-5f);
            }
            QVERIFY(std::abs(rowSum - 1.0f) < 1e-5f);
            // z-pattern rows sum to the pre-activation; where the head is active that is its activation.
            const float z = std::accumulate(detail->zPattern.values.begin() + q * T, detail->zPattern.values.begin() + (q + 1) * T, 0.0f);
            if (detail->headActivation[size_t(q)] != 0.0f)
                QVERIFY(std::abs(z - detail->headActivation[size_t(q)]) < 1e-4f);
            else
                QVERIFY(z <= 1e-5f);
        }
        QCOMPARE(detail->promotedTokens.size(), size_t(10));
        {
            // Direct logit effect, computed independently from the files: w_o . W_E^T (tied).
            const auto wO = openSafetensors(m_dir / "lorsa" / "sae_weights.safetensors")->load("W_O")[33].to(at::kDouble);
            const auto wte = openSafetensors(m_dir / "gpt2" / "model.safetensors")->load("transformer.wte.weight").to(at::kDouble);
            const auto logits = at::matmul(wte.narrow(0, 0, 267), wO);
            QCOMPARE(detail->promotedTokens.front().id, logits.argmax().item<int64_t>());
            QVERIFY(std::abs(detail->promotedTokens.front().score - logits.max().item<double>()) < 1e-4);
        }
        QVERIFY(std::is_sorted(detail->promotedTokens.begin(), detail->promotedTokens.end(), [](auto a, auto b) { return a.score > b.score; }));
        QCOMPARE(detail->valueTokens.size(), size_t(10));
        const auto chosen = m_session->headDetail(33, 0, 0, 9);
        QCOMPARE(chosen->mhsaHead, 0);
    }

    // A bfloat16 checkpoint in a float32 CPU run keeps its weights as stored: the head list's
    // token attributions, read through the kept unembedding, are still the file's.
    void keptHalfPrecisionWeightsGiveTheFilesAttributions()
    {
        test::TempDir dir;
        test::Gpt2FixtureOptions model;
        model.dtype = test::FixtureDtype::BF16;
        test::writeTinyGpt2(dir / "gpt2", model);
        std::filesystem::create_directories(dir / "lorsa");
        test::writeExactGpt2Lorsa(dir / "lorsa", dir / "gpt2", 1, model.nHeads, false);
        const auto session = ExplorerSession::open(test::cpuEngineOptions(dir / "gpt2", dir / "lorsa"));
        QCOMPARE(session->info().dtype, std::string("float32"));
        const auto analysis = session->analyze("The cat sat on the mat. The cat sat on the", true, 8);
        const auto detail = session->headDetail(33, std::nullopt, int(analysis->tokens.size()) - 1, 8);
        const auto wO = openSafetensors(dir / "lorsa" / "sae_weights.safetensors")->load("W_O")[33].to(at::kDouble);
        const auto wte = openSafetensors(dir / "gpt2" / "model.safetensors")->load("transformer.wte.weight").to(at::kDouble);
        const auto logits = at::matmul(wte.narrow(0, 0, 267), wO);
        QCOMPARE(detail->promotedTokens.front().id, logits.argmax().item<int64_t>());
        QVERIFY(std::abs(detail->promotedTokens.front().score - logits.max().item<double>()) < 1e-4);
        QCOMPARE(detail->suppressedTokens.front().id, logits.argmin().item<int64_t>());
    }

    void interventionsChangePredictions()
    {
        const auto analysis = m_session->analyze("one two three four five", true, 10);
        const int last = int(analysis->tokens.size()) - 1;
        const auto unchanged = m_session->intervene({{0, 1.0f}}, last, 10);
        for (size_t i = 0; i < unchanged->baseline.size(); ++i)
            QVERIFY(std::abs(unchanged->baseline[i].score - unchanged->intervened[i].score) < 1e-6f);
        std::map<int32_t, float> ablateAll;
        for (int head = 0; head < 64; ++head)
            ablateAll[head] = 0.0f;
        const auto ablated = m_session->intervene(ablateAll, last, 10);
        QVERIFY(std::abs(ablated->biggestChanges.front().score) > 1e-4f);
        float total = 0;
        for (size_t i = 0; i + 1 < ablated->baseline.size(); ++i)
            QVERIFY(ablated->baseline[i].score >= ablated->baseline[i + 1].score);
        for (const auto& token : ablated->baseline)
            total += token.score;
        QVERIFY(total <= 1.0f + 1e-5f);

        // The clean column is the model's own next-token distribution, as an engine without the
        // Lorsa computes it on the same tokens.
        const Engine model(modelOnlyOptions());
        RunRequest request;
        request.modelHooks.names = {"logits"};
        const auto ids = model.encodePrompt("one two three four five", true).ids;
        const auto logits = model.run(at::tensor(ids, at::kLong).unsqueeze(0), request).cache.at("logits");
        const auto probabilities = at::softmax(logits.select(0, 0).select(0, last).to(at::kFloat), -1);
        QCOMPARE(ablated->clean.size(), ablated->baseline.size());
        for (size_t i = 0; i < ablated->clean.size(); ++i) {
            QCOMPARE(ablated->clean[i].id, ablated->baseline[i].id);
            QVERIFY(std::abs(ablated->clean[i].score - probabilities[ablated->clean[i].id].item<float>()) < 1e-5f);
        }
    }

    // Superseded head details and interventions stop early, and the session stays usable.
    void detailAndInterventionStopWhenSuperseded()
    {
        m_session->analyze("The cat sat on the mat. The cat", true, 21);
        const auto stop = [] { return true; };
        const auto kindOf = [](const std::function<void()>& call) {
            try {
                call();
            } catch (const Error& error) {
                return error.kind();
            }
            return ErrorKind::InvalidInput;  // did not stop
        };
        QCOMPARE(kindOf([&] { m_session->headDetail(0, std::nullopt, 3, 21, stop); }), ErrorKind::Cancelled);
        QCOMPARE(kindOf([&] { m_session->intervene({{0, 0.0f}}, 3, 21, 10, stop); }), ErrorKind::Cancelled);
        QCOMPARE(kindOf([&] { m_session->contextPattern({1, 2, 3}, 0, 21, stop); }), ErrorKind::Cancelled);
        QCOMPARE(m_session->headDetail(0, std::nullopt, 3, 22)->queryToken, 3);
    }

    // An atlas context's pattern is computed by the rule of headDetail(), on the given tokens alone.
    void contextPatternMatchesHeadDetail()
    {
        const auto analysis = m_session->analyze("Mary went to the store, then John went to the store and", true, 31);
        std::vector<int64_t> ids;
        for (const auto& token : analysis->tokens)
            ids.push_back(token.id);
        const auto T = static_cast<int64_t>(ids.size());
        const auto close = [](const std::vector<float>& a, const std::vector<float>& b) {
            if (a.size() != b.size())
                return false;
            for (size_t i = 0; i < a.size(); ++i)
                if (std::abs(a[i] - b[i]) > 1e-5f)
                    return false;
            return true;
        };
        bool anyActive = false;
        for (const int32_t head : {0, 17, 33, 50, 63}) {
            const auto detail = m_session->headDetail(head, std::nullopt, static_cast<int32_t>(T - 1), 31);
            const auto context = m_session->contextPattern(ids, head, 32);
            QCOMPARE(context->generation, uint64_t(32));
            QCOMPARE(context->lorsaHead, head);
            QCOMPARE(context->qkHead, detail->qkHead);
            QCOMPARE(context->tokens, ids);
            QCOMPARE(context->pattern.rows, T);
            QCOMPARE(context->pattern.cols, T);
            QCOMPARE(context->zPattern.rows, T);
            QVERIFY2(close(context->pattern.values, detail->lorsaPattern.values), qPrintable(QStringLiteral("pattern of head %1").arg(head)));
            QVERIFY2(close(context->zPattern.values, detail->zPattern.values), qPrintable(QStringLiteral("z-pattern of head %1").arg(head)));
            QVERIFY2(close(context->headActivation, detail->headActivation), qPrintable(QStringLiteral("activation of head %1").arg(head)));
            for (int64_t q = 0; q < T; ++q)
                for (int64_t k = q + 1; k < T; ++k)
                    QCOMPARE(context->pattern.at(q, k), 0.0f);
            anyActive = anyActive || std::any_of(context->headActivation.begin(), context->headActivation.end(), [](float a) { return a != 0; });
        }
        QVERIFY(anyActive);  // the comparison covers nonzero activations too
    }

    // contextPattern leaves the last prompt, its caches and what reselect() refers to alone.
    void contextPatternLeavesTheLastPromptAlone()
    {
        SelectionIntent intent;
        const auto explored = m_session->explore("The cat sat on the mat and the dog sat on the cat", true, intent, 41);
        const int32_t T = static_cast<int32_t>(explored->analysis->tokens.size());
        const auto before = m_session->headDetail(9, std::nullopt, T - 1, 41);
        // Another context, shorter and with other tokens: nothing of it may leak into the prompt.
        const auto other = m_session->contextPattern({explored->analysis->tokens.front().id, 5, 6, 7}, 9, 42);
        QCOMPARE(other->pattern.rows, int64_t(4));
        const auto after = m_session->headDetail(9, std::nullopt, T - 1, 43);
        QCOMPARE(after->lorsaPattern.values, before->lorsaPattern.values);
        QCOMPARE(after->zPattern.values, before->zPattern.values);
        QCOMPARE(after->headActivation, before->headActivation);
        QCOMPARE(after->mhsaPattern.values, before->mhsaPattern.values);
        QCOMPARE(after->mhsaHead, before->mhsaHead);
        const auto reselected = m_session->reselect(explored, explored->selection, 44);
        QCOMPARE(reselected->analysis, explored->analysis);
        QCOMPARE(reselected->detail->lorsaPattern.values, explored->detail->lorsaPattern.values);
        QCOMPARE(reselected->detail->zPattern.values, explored->detail->zPattern.values);
    }

    void contextPatternRefusesBadRequests_data()
    {
        QTest::addColumn<int>("head");
        QTest::addColumn<int>("length");
        QTest::addColumn<qlonglong>("badToken");
        QTest::addColumn<QString>("expected");
        QTest::addRow("head out of range") << 64 << 5 << -1LL << QStringLiteral("Lorsa head 64 does not exist");
        QTest::addRow("negative head") << -1 << 5 << -1LL << QStringLiteral("Lorsa head -1 does not exist");
        QTest::addRow("no tokens") << 0 << 0 << -1LL << QStringLiteral("no tokens");
        QTest::addRow("too many tokens") << 0 << 65 << -1LL << QStringLiteral("at most 64");
        QTest::addRow("token beyond the vocabulary") << 0 << 5 << 100000LL << QStringLiteral("token id 100000");
        QTest::addRow("negative token") << 0 << 5 << -7LL << QStringLiteral("token id -7");
    }

    void contextPatternRefusesBadRequests()
    {
        QFETCH(int, head);
        QFETCH(int, length);
        QFETCH(qlonglong, badToken);
        QFETCH(QString, expected);
        QCOMPARE(m_session->info().maxTokens, int64_t(64));
        std::vector<int64_t> tokens(static_cast<size_t>(length), 3);
        if (badToken != -1)
            tokens[2] = badToken;
        try {
            m_session->contextPattern(tokens, head, 1);
            QFAIL("expected an error");
        } catch (const Error& error) {
            QCOMPARE(error.kind(), ErrorKind::InvalidInput);
            QVERIFY2(QString::fromStdString(error.what()).contains(expected), error.what());
        }
    }

    void contextPatternNeedsALorsa()
    {
        const auto modelOnly = ExplorerSession::open(modelOnlyOptions());
        QVERIFY(modelOnly->lorsaDir().empty());
        QCOMPARE(modelOnly->modelDir(), m_dir / "gpt2");
        QCOMPARE(m_session->lorsaDir(), m_dir / "lorsa");
        try {
            modelOnly->contextPattern({1, 2, 3}, 0, 1);
            QFAIL("expected an error");
        } catch (const Error& error) {
            QCOMPARE(error.kind(), ErrorKind::InvalidInput);
            QVERIFY2(QString::fromStdString(error.what()).contains(QStringLiteral("no Lorsa")), error.what());
        }
    }

    void modelOnlySessionsShowTheMhsaPatternsOfAnyLayer()
    {
        const auto session = ExplorerSession::open(modelOnlyOptions());
        QCOMPARE(session->info().layer, 0);
        QCOMPARE(static_cast<int32_t>(session->info().headScores.size()), session->info().nMhsaHeads);
        const std::string prompt = "The cat sat on the mat. The cat sat on the";
        SelectionIntent intent;
        intent.query = SelectionIntent::Query::FollowEnd;
        // The pattern each result shows is the model's own hook_pattern of the session's layer.
        const auto checkPattern = [&](const ExplorerResultPtr& result, int64_t layer, int32_t head) {
            QVERIFY(result->detail);
            const HeadDetail& d = *result->detail;
            QCOMPARE(d.mhsaHead, head);
            QCOMPARE(result->analysis->session->layer, int32_t(layer));
            QCOMPARE(result->analysis->session->nOvHeads, 0);
            QVERIFY(d.lorsaPattern.empty() && d.zPattern.empty() && d.headActivation.empty());
            std::vector<int64_t> ids;
            for (const TokenInfo& token : result->analysis->tokens)
                ids.push_back(token.id);
            const auto T = static_cast<int64_t>(ids.size());
            QCOMPARE(d.mhsaPattern.rows, T);
            QCOMPARE(d.queryToken, int32_t(T - 1));
            ActivationCache cache;
            ForwardOptions forward;
            const auto hook = "blocks." + std::to_string(layer) + ".attn.hook_pattern";
            forward.capture.names.insert(hook);
            c10::InferenceMode guard;
            session->engine().model().forward(at::tensor(ids, at::kLong).unsqueeze(0), cache, forward);
            const auto expected = cache.at(hook).select(0, 0).select(0, head).to(at::kFloat).contiguous();
            for (int64_t q = 0; q < T; ++q)
                for (int64_t k = 0; k < T; ++k)
                    QVERIFY(std::abs(d.mhsaPattern.at(q, k) - expected[q][k].item<float>()) < 1e-5f);
        };
        const auto first = session->explore(prompt, true, intent, 1);
        checkPattern(first, 0, 0);
        Selection other = first->selection;
        other.mhsaHead = 3;
        checkPattern(session->reselect(first, other, 2), 0, 3);

        const auto& info = session->switchLayer(1, "");
        QCOMPARE(info.layer, 1);
        QCOMPARE(static_cast<int32_t>(info.headScores.size()), info.nMhsaHeads);
        for (const HeadScore& score : info.headScores)
            QVERIFY(score.kind == "mhsa" && score.layer == 1);
        // The old result belongs to layer 0: a reselect on it is refused, a new prompt is layer 1's.
        QVERIFY_THROWS_EXCEPTION(Error, session->reselect(first, other, 3));
        intent.selection.mhsaHead = 2;
        checkPattern(session->explore(prompt, true, intent, 4), 1, 2);
        QVERIFY_THROWS_EXCEPTION(Error, session->switchLayer(2, ""));
        QVERIFY_THROWS_EXCEPTION(Error, session->switchLayer(-1, ""));
        QCOMPARE(session->info().layer, 1);
    }

    void badRequestsAreErrors()
    {
        m_session->analyze("hello there", true, 11);
        QVERIFY_THROWS_EXCEPTION(Error, m_session->headDetail(64, std::nullopt, 0, 11));
        QVERIFY_THROWS_EXCEPTION(Error, m_session->headDetail(0, 4, 0, 11));
        QVERIFY_THROWS_EXCEPTION(Error, m_session->headDetail(0, std::nullopt, 99, 11));
        QVERIFY_THROWS_EXCEPTION(Error, m_session->intervene({{-1, 0.0f}}, 0, 11));
        QVERIFY_THROWS_EXCEPTION(Error, m_session->analyze("", true, 12));
        try {
            m_session->analyze("superseded", true, 13, [] { return true; });
            QFAIL("expected cancellation");
        } catch (const Error& error) {
            QCOMPARE(error.kind(), ErrorKind::Cancelled);
        }
    }

    void loadingCanBeCancelledAndFailsClearly()
    {
        EngineOptions options;
        options.modelDir = m_dir / "gpt2";
        options.device = "cpu";
        try {
            ExplorerSession::open(options, [] { return true; });
            QFAIL("expected cancellation");
        } catch (const Error& error) {
            QCOMPARE(error.kind(), ErrorKind::Cancelled);
        }
        options.modelDir = m_dir / "missing";
        QVERIFY_THROWS_EXCEPTION(Error, ExplorerSession::open(options));
    }
};

QTEST_APPLESS_MAIN(TestExplorerSession)
#include "test_explorer_session.moc"
