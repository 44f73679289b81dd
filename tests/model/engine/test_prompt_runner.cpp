// The prompt runner reuses the previous prompt's work, and every run equals a fresh Engine::run
// of the whole prompt: while typing at the end, after edits in the middle, after deletions,
// and after runs that were cancelled part-way.
#include <torch/torch.h>

#include "model/core/error.h"
#include "model/engine/engine.h"
#include "model/engine/prompt_runner.h"
#include "tests/support/checks.h"
#include "tests/support/cpu_engine_options.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

using namespace lorsa;

namespace {

constexpr double kTolerance = 1e-5;

using test::relativeError;

double relativeError(const std::vector<float>& actual, const std::vector<float>& expected)
{
    return relativeError(at::tensor(actual), at::tensor(expected));
}

bool close(double actual, double expected)
{
    return std::abs(actual - expected) <= kTolerance * std::max(1.0, std::abs(expected));
}

std::vector<int64_t> randomIds(int64_t n, uint64_t seed)
{
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto ids = at::randint(1, 260, {n}, gen, at::kLong);
    return {ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + n};
}

std::vector<int64_t> joined(std::vector<int64_t> a, const std::vector<int64_t>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

/// What the runner must equal: one Engine::run of the whole prompt.
void compareWithFreshRun(const Engine& engine, const PromptRun& run, int64_t patternLayer)
{
    const auto tokens = at::tensor(run.ids, at::kLong).unsqueeze(0);
    RunRequest request;
    const auto patternHook = "blocks." + std::to_string(patternLayer) + ".attn.hook_pattern";
    request.modelHooks.names = {patternHook};
    request.lorsa = engine.lorsa() != nullptr;
    request.fidelity = engine.lorsa() != nullptr;
    request.logits = true;
    auto fresh = engine.run(tokens, request);
    const auto T = static_cast<int64_t>(run.ids.size());
    QVERIFY(at::equal(run.tokens, tokens));
    QCOMPARE(run.attentionPattern.sizes().vec(), (std::vector<int64_t>{engine.model().config().nHeads, T, T}));
    QVERIFY(relativeError(run.attentionPattern, fresh.cache.at(patternHook).select(0, 0)) <= kTolerance);
    if (!engine.lorsa()) {
        QVERIFY(!run.fidelity && !run.featureActs.defined());
        return;
    }
    QVERIFY(relativeError(run.lorsaInput, fresh.lorsaInput) <= kTolerance);
    QVERIFY(relativeError(run.featureActs, fresh.lorsa->featureActs) <= kTolerance);
    QVERIFY(at::equal(run.featureActs.ne(0), fresh.lorsa->featureActs.ne(0)));
    QVERIFY(relativeError(run.reconstructed, fresh.lorsa->reconstructed) <= kTolerance);
    const auto& expected = *fresh.fidelity;
    const auto& actual = *run.fidelity;
    QVERIFY2(close(actual.fvu, expected.fvu), (std::to_string(actual.fvu) + " vs " + std::to_string(expected.fvu)).c_str());
    QVERIFY(close(actual.meanL0, expected.meanL0));
    QVERIFY2(close(actual.cleanLoss, expected.cleanLoss),
             (std::to_string(actual.cleanLoss) + " vs " + std::to_string(expected.cleanLoss)).c_str());
    QVERIFY(close(actual.splicedLoss, expected.splicedLoss));
    QCOMPARE(actual.l0PerToken, expected.l0PerToken);
    QVERIFY(relativeError(actual.errorPerToken, expected.errorPerToken) <= kTolerance);
}

} // namespace

class TestPromptRunner : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    std::unique_ptr<Engine> m_engine;

private Q_SLOTS:
    void initTestCase()
    {
        // Rotary model and Lorsa, the Lorsa in the middle block: every cache is exercised.
        test::NeoxFixtureOptions model;
        model.nLayers = 3;
        model.rotaryPct = 0.5;
        test::writeTinyNeox(m_dir / "neox", model);
        test::LorsaFixtureOptions lorsa;
        lorsa.dModel = model.dModel;
        lorsa.layer = 1;
        lorsa.nQkHeads = 4;
        lorsa.nOvHeads = 32;
        lorsa.rotaryAdjacentPairs = false;
        test::writeTinyLorsa(m_dir / "lorsa", lorsa);
        m_engine = std::make_unique<Engine>(test::cpuEngineOptions(m_dir / "neox", m_dir / "lorsa"));
    }

    void typingEditingAndDeletingEqualFreshRuns()
    {
        PromptRunner runner(*m_engine, 1);
        const auto base = randomIds(12, 1);
        struct Step {
            std::vector<int64_t> ids;
            int64_t reused;
        };
        const auto typed = joined(base, randomIds(3, 2));
        auto edited = joined(typed, randomIds(1, 3));
        edited[5] = (edited[5] + 1) % 260;
        const std::vector<Step> steps = {
            {base, 0},
            {typed, 11},                                  // typing at the end: the last shared token's term changes
            {joined(typed, randomIds(1, 3)), 14},
            {edited, 4},                                  // an edit in the middle
            {std::vector<int64_t>(edited.begin(), edited.begin() + 8), 7},  // deleting the end
            {std::vector<int64_t>(edited.begin(), edited.begin() + 8), 7},  // the same prompt again
            {{edited[0]}, 0},                             // one token
            {randomIds(20, 4), 0},                        // another prompt
        };
        for (const auto& step : steps) {
            const auto& run = runner.run(step.ids);
            QCOMPARE(run.reusedPositions, step.reused);
            compareWithFreshRun(*m_engine, run, 1);
            if (QTest::currentTestFailed())
                return;
        }
    }

    // Whichever stage a cancellation stops, the runner keeps its last result and the next
    // run is still exact.
    void cancelledRunsLeaveItExact()
    {
        PromptRunner runner(*m_engine, 1);
        const auto base = randomIds(10, 5);
        runner.run(base);
        const auto longer = joined(base, randomIds(4, 6));
        int stopAt = 1;
        for (;; ++stopAt) {
            int polls = 0;
            try {
                runner.run(joined(longer, randomIds(stopAt % 3 + 1, 7)), [&] { return ++polls == stopAt; });
                break;  // ran past its last cancellation check
            } catch (const Error& error) {
                QCOMPARE(error.kind(), ErrorKind::Cancelled);
            }
            QCOMPARE(runner.last().ids, base);
            compareWithFreshRun(*m_engine, runner.run(longer), 1);
            compareWithFreshRun(*m_engine, runner.run(base), 1);
            if (QTest::currentTestFailed())
                return;
        }
        QVERIFY2(stopAt > 5, "the model, the Lorsa and the spliced run each check for cancellation");
    }

    void modelWithoutLorsa()
    {
        const Engine engine(test::cpuEngineOptions(m_dir / "neox", {}));
        PromptRunner runner(engine, 2);
        const auto ids = randomIds(9, 8);
        compareWithFreshRun(engine, runner.run(ids), 2);
        const auto& run = runner.run(joined(ids, randomIds(2, 9)));
        QCOMPARE(run.reusedPositions, int64_t(8));
        compareWithFreshRun(engine, run, 2);
    }
};

QTEST_APPLESS_MAIN(TestPromptRunner)
#include "test_prompt_runner.moc"
