// A Qwen3 model with a Llama-Scope-2-style Lorsa set, end to end: the chosen Lorsa's activations
// against the float64 references (model and Lorsa), switching layers in a session against fresh
// sessions, and prompts beyond the Lorsa's context.

#include <torch/torch.h>

#include "model/core/error.h"
#include "model/engine/engine.h"
#include "model/engine/explorer_session.h"
#include "tests/model/lorsa/lorsa_reference.h"
#include "tests/model/transformer/reference_model.h"
#include "tests/support/cpu_engine_options.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

using namespace lorsa;

namespace {

namespace fs = std::filesystem;

constexpr int64_t kLayers = 3;
constexpr const char* kPrompt = "the cat sat on the mat and the dog sat on the log";

test::LlamaFixtureOptions qwenOptions()
{
    test::LlamaFixtureOptions o;
    o.modelType = "qwen3";
    o.headDim = 16;
    o.nLayers = kLayers;
    o.tiedEmbeddings = true;
    o.dtype = test::FixtureDtype::BF16;
    o.seed = 31;
    return o;
}

test::LorsaFixtureOptions lorsaOptions(int64_t layer, int expansion)
{
    test::LorsaFixtureOptions o;
    o.dModel = 32;
    o.layer = layer;
    o.nQkHeads = 4;
    o.nOvHeads = 32 * expansion;
    o.dQkHead = 8;
    o.rotaryDim = 8;
    o.rotaryAdjacentPairs = false;
    o.rotaryBase = 1000000.0;
    o.postQkLn = true;
    o.topK = 4;
    o.nCtx = 24;
    o.seed = static_cast<uint64_t>(100 + layer * 10 + expansion);
    return o;
}

fs::path lorsaFolder(const fs::path& set, int64_t layer, int expansion)
{
    const auto e = std::to_string(expansion) + "x";
    return set / "lorsa" / e / "k4" / ("layer" + std::to_string(layer) + "_lorsa_" + e + "_k4");
}

EngineOptions sessionOptions(const fs::path& model, const fs::path& lorsa, std::optional<int32_t> layer, const std::string& variant = {})
{
    auto options = test::cpuEngineOptions(model, lorsa);
    if (layer)
        options.lorsaChoice.layer = *layer;
    options.lorsaChoice.variant = variant;
    options.lorsaInput = LorsaInputMode::Normalized;
    return options;
}

void compareAnalyses(const PromptAnalysis& actual, const PromptAnalysis& expected)
{
    QCOMPARE(actual.session->layer, expected.session->layer);
    QCOMPARE(actual.tokens.size(), expected.tokens.size());
    QCOMPARE(actual.activeCount, expected.activeCount);
    for (size_t t = 0; t < actual.active.size(); ++t) {
        QCOMPARE(actual.active[t].size(), expected.active[t].size());
        for (size_t i = 0; i < actual.active[t].size(); ++i) {
            QCOMPARE(actual.active[t][i].head, expected.active[t][i].head);
            QVERIFY(std::abs(actual.active[t][i].activation - expected.active[t][i].activation) <=
                    1e-4f * std::max(1.0f, std::abs(expected.active[t][i].activation)));
        }
    }
    QVERIFY(std::abs(actual.fidelity.fvu - expected.fidelity.fvu) <= 1e-4 * std::max(1.0, expected.fidelity.fvu));
    QVERIFY(std::abs(actual.fidelity.cleanLoss - expected.fidelity.cleanLoss) <= 1e-4 * expected.fidelity.cleanLoss);
    QVERIFY(std::abs(actual.fidelity.splicedLoss - expected.fidelity.splicedLoss) <= 1e-4 * expected.fidelity.splicedLoss);
}

} // namespace

class TestLorsaSets : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    fs::path m_model, m_set;

private Q_SLOTS:
    void initTestCase()
    {
        m_model = m_dir / "qwen3";
        m_set = m_dir / "Llama-Scope-2";
        test::writeTinyLlama(m_model, qwenOptions());
        for (const int expansion : {1, 2})
            for (int64_t layer = 0; layer < kLayers; ++layer)
                test::writeTinyLorsa(lorsaFolder(m_set, layer, expansion), lorsaOptions(layer, expansion));
    }

    // Model (checked against its own float64 reference elsewhere) feeding the chosen Lorsa: the
    // activations equal the float64 Lorsa reference run on the float64 model's ln1 output.
    void chosenLorsaMatchesTheReferences()
    {
        EngineOptions options;
        options.modelDir = m_model;
        options.lorsaDir = m_set;
        options.lorsaChoice.layer = 1;
        options.lorsaChoice.variant = "2x/k4";
        options.device = "cpu";
        options.lorsaInput = LorsaInputMode::Normalized;
        const Engine engine(options);
        QCOMPARE(engine.lorsaDir(), lorsaFolder(m_set, 1, 2));
        QCOMPARE(engine.lorsa()->config().layer, int64_t(1));
        const auto prompt = engine.encodePrompt(kPrompt, true);
        RunRequest request;
        request.lorsa = true;
        const auto result = engine.run(at::tensor(prompt.ids, at::kLong).unsqueeze(0), request);

        const test::ReferenceModel model(m_model);
        const auto hooks = model.run(prompt.ids);
        const auto input = hooks.at("blocks.1.ln1.hook_normalized").unsqueeze(0);  // [1,T,d] float64
        const auto expected = test::referenceForward(lorsaFolder(m_set, 1, 2), lorsaOptions(1, 2), input);
        QVERIFY(test::maxRelativeError(result.lorsaInput, input) <= 1e-4);
        QVERIFY(test::maxRelativeError(result.lorsa->featureActs, expected.featureActs) <= 1e-4);
        QVERIFY(test::maxRelativeError(result.lorsa->reconstructed, expected.reconstructed) <= 1e-4);
    }

    void sessionOffersTheSetAndSwitchesLayers()
    {
        auto session = ExplorerSession::open(sessionOptions(m_model, m_set, std::nullopt));
        const auto& info = session->info();
        // The set's first Lorsa: the smallest variant, the lowest layer.
        QCOMPARE(info.layer, 0);
        QCOMPARE(info.lorsaVariant, std::string("1x/k4"));
        QCOMPARE(info.lorsaOffers.size(), size_t(6));
        QCOMPARE(info.bosToken, std::string("<|begin_of_text|>"));
        const auto first = session->analyze(kPrompt, true, 1);

        // Up (resumes at the old layer's residual), down (from the embeddings), another variant;
        // each then equals a fresh session on that Lorsa, for the same prompt and one typed further.
        for (const auto& [layer, variant] : std::vector<std::pair<int32_t, std::string>>{{2, "1x/k4"}, {1, "1x/k4"}, {1, "2x/k4"}}) {
            const auto& switched = session->switchLayer(layer, variant);
            QCOMPARE(switched.layer, layer);
            QCOMPARE(switched.lorsaVariant, variant);
            QCOMPARE(switched.lorsaPath, lorsaFolder(m_set, layer, variant == "1x/k4" ? 1 : 2).string());
            const auto again = session->analyze(kPrompt, true, 2);
            QCOMPARE(again->reusedTokens, int64_t(again->tokens.size()) - 1);
            auto fresh = ExplorerSession::open(sessionOptions(m_model, m_set, layer, variant));
            compareAnalyses(*again, *fresh->analyze(kPrompt, true, 1));
            const auto typed = session->analyze(std::string(kPrompt) + " and", true, 3);
            compareAnalyses(*typed, *fresh->analyze(std::string(kPrompt) + " and", true, 2));
            // Head queries answer for the new Lorsa.
            QCOMPARE(session->headDetail(0, std::nullopt, 2, 4)->lorsaPattern.rows, int64_t(typed->tokens.size()));
        }
        QVERIFY(first->session->layer == 0);
    }

    void failedSwitchKeepsTheCurrentLorsa()
    {
        auto session = ExplorerSession::open(sessionOptions(m_model, m_set, 2, "1x/k4"));
        const auto before = session->analyze(kPrompt, true, 1);
        QVERIFY_THROWS_EXCEPTION(Error, session->switchLayer(7, "1x/k4"));
        QVERIFY_THROWS_EXCEPTION(Error, session->switchLayer(1, "3x/k9"));
        QCOMPARE(session->info().layer, 2);
        compareAnalyses(*session->analyze(kPrompt, true, 2), *before);
    }

    // The Lorsa's n_ctx (24) is shorter than the model's (64): the prompt is analysed up to it.
    void promptsBeyondTheLorsaContextAreCut()
    {
        auto session = ExplorerSession::open(sessionOptions(m_model, m_set, 0, "1x/k4"));
        const std::string longText(40, 'x');
        const auto analysis = session->analyze(longText, true, 1);
        QCOMPARE(analysis->tokens.size(), size_t(24));
        QCOMPARE(analysis->truncatedFrom, int64_t(41));  // BOS + 40 byte tokens
        QCOMPARE(analysis->activeCount.size(), size_t(24));
        QVERIFY(std::isfinite(analysis->fidelity.fvu));
        // The cut prompt equals the prompt that is exactly that long.
        compareAnalyses(*analysis, *session->analyze(std::string(23, 'x'), true, 2));
        QCOMPARE(truncationNotice(41, 24), std::string("the prompt is 41 tokens long but the context (model and Lorsa) holds 24 "
                                                       "tokens: only the first 24 are analysed"));
        // Beyond the model's own context (64) too: cut to the shorter context, as the notice says.
        const auto beyond = session->analyze(std::string(80, 'x'), true, 3);
        QCOMPARE(beyond->tokens.size(), size_t(24));
        QCOMPARE(beyond->truncatedFrom, int64_t(81));
    }
};

QTEST_APPLESS_MAIN(TestLorsaSets)
#include "test_lorsa_sets.moc"
