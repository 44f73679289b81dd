#include <torch/torch.h>

#include "model/core/error.h"
#include "model/engine/engine.h"
#include "model/engine/head_scores.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

Q_DECLARE_METATYPE(at::Tensor)

using namespace lorsa;

namespace {

constexpr int64_t kN = 6;  // repeat length of the constructed probes

/// [BOS=0, 1..n, 1..n]: distinct tokens repeated once.
at::Tensor repeatedTokens()
{
    std::vector<int64_t> ids = {0};
    for (int repeat = 0; repeat < 2; ++repeat)
        for (int64_t i = 1; i <= kN; ++i)
            ids.push_back(i);
    return at::tensor(ids, at::kLong).unsqueeze(0);
}

/// A one-hot causal pattern [1,1,T,T]: row t attends to target(t) (clamped into 0..t).
at::Tensor oneHot(int64_t t, const std::function<int64_t(int64_t)>& target)
{
    auto a = at::zeros({1, 1, t, t}, at::kDouble);
    for (int64_t q = 0; q < t; ++q)
        a[0][0][q][std::clamp<int64_t>(target(q), 0, q)] = 1.0;
    return a;
}

/// A single-threaded CPU engine on the tiny gpt_neox fixture written into \p dir.
std::unique_ptr<Engine> fixtureEngine(const test::TempDir& dir, const test::NeoxFixtureOptions& options)
{
    test::writeTinyNeox(dir / "model", options);
    EngineOptions engineOptions;
    engineOptions.modelDir = dir / "model";
    engineOptions.device = "cpu";
    engineOptions.threads = 1;
    return std::make_unique<Engine>(engineOptions);
}

} // namespace

class TestHeadScores : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void constructedPatterns_data()
    {
        const int64_t t = 2 * kN + 1, second = kN + 1;
        QTest::addColumn<at::Tensor>("pattern");
        QTest::addColumn<double>("induction");
        QTest::addColumn<double>("previous");
        QTest::addColumn<double>("duplicate");
        QTest::addColumn<double>("first");
        // Second-copy position q holds token q - n, first seen at q - n; the token after is q - n + 1.
        QTest::addRow("previous-token head") << oneHot(t, [](int64_t q) { return q - 1; }) << 0.0 << 1.0 << 0.0 << 1.0 / (t - 1);
        QTest::addRow("induction head") << oneHot(t, [&](int64_t q) { return q >= second ? q - kN + 1 : 0; }) << 1.0
                                        << 1.0 / (t - 1) << 0.0 << static_cast<double>(kN) / (t - 1);
        QTest::addRow("duplicate-token head") << oneHot(t, [&](int64_t q) { return q >= second ? q - kN : 0; }) << 0.0 << 1.0 / (t - 1) << 1.0
                                              << static_cast<double>(kN) / (t - 1);
        QTest::addRow("attention sink") << oneHot(t, [](int64_t) { return 0; }) << 0.0 << 1.0 / (t - 1) << 0.0 << 1.0;
        // Uniform attention: A[q,s] = 1/(q+1) for every earlier s.
        auto uniform = at::ones({t, t}, at::kDouble).tril();
        uniform = (uniform / uniform.sum(-1, true)).view({1, 1, t, t});
        double meanInverse = 0;
        for (int64_t q = 1; q < t; ++q)
            meanInverse += 1.0 / static_cast<double>(q + 1);
        meanInverse /= static_cast<double>(t - 1);
        double secondInverse = 0;
        for (int64_t q = second; q < t; ++q)
            secondInverse += 1.0 / static_cast<double>(q + 1);
        secondInverse /= static_cast<double>(kN);
        QTest::addRow("uniform attention") << uniform << secondInverse << meanInverse << secondInverse << meanInverse;
    }
    void constructedPatterns()
    {
        QFETCH(at::Tensor, pattern);
        QFETCH(double, induction);
        QFETCH(double, previous);
        QFETCH(double, duplicate);
        QFETCH(double, first);
        HeadScoreAccumulator scores(1);
        // Added twice: means over several batches equal the mean over one.
        scores.add(pattern, repeatedTokens(), kN + 1);
        scores.add(pattern.to(at::kFloat), repeatedTokens(), kN + 1);
        const auto s = scores.scores("mhsa", 3).at(0);
        QCOMPARE(s.kind, std::string("mhsa"));
        QCOMPARE(s.layer, int64_t(3));
        QVERIFY2(std::abs(s.induction - induction) < 1e-6, std::to_string(s.induction).c_str());
        QVERIFY2(std::abs(s.previousToken - previous) < 1e-6, std::to_string(s.previousToken).c_str());
        QVERIFY2(std::abs(s.duplicateToken - duplicate) < 1e-6, std::to_string(s.duplicateToken).c_str());
        QVERIFY2(std::abs(s.firstToken - first) < 1e-6, std::to_string(s.firstToken).c_str());
    }

    void wrongShapesAreErrors()
    {
        HeadScoreAccumulator scores(2);
        bool threw = false;
        try {
            scores.add(at::zeros({1, 3, 4, 4}), at::zeros({1, 4}, at::kLong), 2);
        } catch (const Error& error) {
            threw = error.kind() == ErrorKind::InvalidInput;
        }
        QVERIFY(threw);
    }

    void fixtureModelEndToEnd()
    {
        test::TempDir dir;
        const test::NeoxFixtureOptions options;
        const auto engine = fixtureEngine(dir, options);
        const auto scores = computeHeadScores(*engine);
        QCOMPARE(static_cast<int64_t>(scores.size()), options.nLayers * options.nHeads);

        // Independent check: the probe is fixed, and each score recomputed with plain loops.
        const auto probe = headScoreProbe(*engine);
        QCOMPARE(probe.tokens.size(0), kHeadScoreSequences);
        const int64_t t = probe.tokens.size(1);
        const int64_t n = t / 2;  // two copies, after a BOS when the model has one
        QCOMPARE(probe.secondCopyStart, t - n);
        RunRequest request;
        request.modelHooks.names = {"blocks.1.attn.hook_pattern"};
        const auto pattern = engine->run(probe.tokens, request).cache.at("blocks.1.attn.hook_pattern").to(at::kDouble);
        for (int64_t h = 0; h < options.nHeads; ++h) {
            double induction = 0, previous = 0, first = 0;
            for (int64_t b = 0; b < kHeadScoreSequences; ++b)
                for (int64_t q = 1; q < t; ++q) {
                    previous += pattern[b][h][q][q - 1].item<double>();
                    first += pattern[b][h][q][0].item<double>();
                    if (q >= t - n)
                        induction += pattern[b][h][q][q - n + 1].item<double>();
                }
            const auto& s = scores.at(static_cast<size_t>(options.nHeads + h));
            QCOMPARE(s.layer, int64_t(1));
            QCOMPARE(s.head, h);
            QVERIFY2(std::abs(s.previousToken - previous / static_cast<double>(kHeadScoreSequences * (t - 1))) < 1e-6,
                     (std::to_string(s.previousToken) + " vs " + std::to_string(previous / static_cast<double>(kHeadScoreSequences * (t - 1)))).c_str());
            QVERIFY(std::abs(s.firstToken - first / static_cast<double>(kHeadScoreSequences * (t - 1))) < 1e-6);
            QVERIFY(std::abs(s.induction - induction / static_cast<double>(kHeadScoreSequences * n)) < 1e-6);
            // With distinct tokens per copy, the only duplicates are in the second copy, once each.
            QVERIFY(s.duplicateToken >= 0 && s.duplicateToken <= 1);
        }
    }

    void oneLayerGivesThatLayersScoresAlone()
    {
        test::TempDir dir;
        const test::NeoxFixtureOptions options;
        const auto engine = fixtureEngine(dir, options);
        const auto all = computeHeadScores(*engine);
        const auto one = computeHeadScores(*engine, int64_t(1));
        QCOMPARE(static_cast<int64_t>(one.size()), options.nHeads);
        for (int64_t h = 0; h < options.nHeads; ++h) {
            const auto& a = all.at(static_cast<size_t>(options.nHeads + h));
            const auto& b = one.at(static_cast<size_t>(h));
            QCOMPARE(b.layer, int64_t(1));
            QCOMPARE(b.head, h);
            QVERIFY(std::abs(a.induction - b.induction) < 1e-9 && std::abs(a.previousToken - b.previousToken) < 1e-9);
        }
        QVERIFY_THROWS_EXCEPTION(Error, computeHeadScores(*engine, int64_t(options.nLayers)));
        int polls = 0;
        QVERIFY_THROWS_EXCEPTION(Error, computeHeadScores(*engine, std::nullopt, [&] { return ++polls > 1; }));
    }
};

QTEST_APPLESS_MAIN(TestHeadScores)
#include "test_head_scores.moc"
