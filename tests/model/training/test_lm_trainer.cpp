#include <torch/torch.h>

#include "model/core/error.h"
#include "model/tokenizer/tokenizer.h"
#include "model/training/adamw.h"
#include "model/training/bpe_trainer.h"
#include "model/training/lm_trainer.h"
#include "model/training/lr_schedule.h"
#include "model/transformer/transformer.h"
#include "tests/support/temp_dir.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <cmath>
#include <fstream>

using namespace lorsa;

namespace {

LanguageModelShape tinyShape(int64_t vocab = 64)
{
    LanguageModelShape shape;
    shape.vocabSize = vocab;
    shape.dModel = 32;
    shape.nLayers = 2;
    shape.nHeads = 4;
    shape.dMlp = 64;
    shape.nCtx = 16;
    shape.rotaryPct = 0.5;
    shape.endOfTextId = vocab - 1;
    return shape;
}

/// A learnable stream: a fixed cycle of 12 tokens, so the next token is predictable.
at::Tensor cyclicRows(int64_t rows, int64_t n)
{
    const auto positions = at::arange(rows * n, at::kLong);
    return (positions.remainder(12) * 5).remainder(60).view({rows, n});
}

double maxRelativeError(const at::Tensor& actual, const at::Tensor& expected)
{
    return ((actual.to(at::kDouble) - expected.to(at::kDouble)).abs().max() / expected.to(at::kDouble).abs().max()).item<double>();
}

std::string readText(const std::filesystem::path& file)
{
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

class TestLmTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::manual_seed(0); }

    void learningRateSchedule_data()
    {
        QTest::addColumn<int>("step");
        QTest::addColumn<double>("expected");
        // total 110 steps, warm-up 10, peak 1e-3, floor 10%.
        QTest::addRow("first warm-up step") << 0 << 1e-4;
        QTest::addRow("mid warm-up") << 4 << 5e-4;
        QTest::addRow("end of warm-up") << 9 << 1e-3;
        QTest::addRow("decay starts at peak") << 10 << 1e-3;
        // progress (59-10)/99 = 0.4949...: floor + (peak-floor)/2 (1 + cos(pi p)).
        QTest::addRow("mid decay") << 59 << 1e-4 + 9e-4 * 0.5 * (1.0 + std::cos(M_PI * 49.0 / 99.0));
        QTest::addRow("last step at floor") << 109 << 1e-4;
        QTest::addRow("past the end") << 500 << 1e-4;
    }
    void learningRateSchedule()
    {
        QFETCH(int, step);
        QFETCH(double, expected);
        QVERIFY(std::abs(warmupCosineLearningRate(step, 110, 10, 1e-3, 0.1) - expected) < 1e-12);
    }

    void scheduleIsMonotoneAfterWarmup()
    {
        double previous = 1.0;
        for (int step = 10; step < 110; ++step) {
            const double lr = warmupCosineLearningRate(step, 110, 10, 1e-3, 0.1);
            QVERIFY(lr <= previous + 1e-15);
            previous = lr;
        }
    }

    void adamWMatchesTheFormula()
    {
        // One parameter, two steps, computed by hand as torch.optim.AdamW does.
        auto p = at::tensor({1.0, -2.0}, at::kDouble).view({1, 2}).set_requires_grad(true);
        AdamW adam({p}, {0.9, 0.95, 1e-8, 0.1});
        double expected[2] = {1.0, -2.0}, m[2] = {0, 0}, v[2] = {0, 0};
        const double grads[2][2] = {{0.5, -1.0}, {0.25, 2.0}};
        for (int t = 1; t <= 2; ++t) {
            p.mutable_grad() = at::tensor({grads[t - 1][0], grads[t - 1][1]}, at::kDouble).view({1, 2});
            adam.step(0.01);
            for (int i = 0; i < 2; ++i) {
                const double g = grads[t - 1][i];
                expected[i] *= 1 - 0.01 * 0.1;
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.95 * v[i] + 0.05 * g * g;
                const double mHat = m[i] / (1 - std::pow(0.9, t)), vHat = v[i] / (1 - std::pow(0.95, t));
                expected[i] -= 0.01 * mHat / (std::sqrt(vHat) + 1e-8);
            }
        }
        const auto got = p.detach().view({2});
        QVERIFY(std::abs(got[0].item<double>() - expected[0]) < 1e-12);
        QVERIFY(std::abs(got[1].item<double>() - expected[1]) < 1e-12);
    }

    void clipsGradientNorm()
    {
        auto a = at::zeros({2}, at::kDouble).set_requires_grad(true);
        a.mutable_grad() = at::tensor({3.0, 4.0}, at::kDouble);
        QCOMPARE(clipGradientNorm({a}, 1.0), 5.0);
        QVERIFY(std::abs(a.grad().norm().item<double>() - 1.0) < 1e-5);
        QCOMPARE(clipGradientNorm({a}, 10.0), a.grad().norm().item<double>());
    }

    void trainingReducesLoss()
    {
        LmTrainingOptions options;
        options.batchTokens = 8 * 16;
        options.lr = 3e-3;
        options.warmup = 5;
        options.seed = 3;
        LmTrainer trainer(tinyShape(), cyclicRows(64, 16), 40, options);
        const auto rows = cyclicRows(8, 16);
        const double before = meanHeldoutLoss(trainer.model(), rows);
        QVERIFY(std::abs(before - std::log(64.0)) < 0.3);  // a fresh model is close to uniform
        LmStepResult last;
        for (int i = 0; i < 40; ++i)
            last = trainer.step();
        QCOMPARE(last.step, int64_t(40));
        QCOMPARE(last.tokens, int64_t(40 * 8 * 16));
        const double after = meanHeldoutLoss(trainer.model(), rows);
        QVERIFY2(after < 0.5 * before, qPrintable(QStringLiteral("loss %1 -> %2").arg(before).arg(after)));
    }

    void savedModelReloadsWithEqualLogits_data()
    {
        QTest::addColumn<QString>("modelType");
        QTest::addColumn<double>("rotaryPct");
        QTest::addColumn<int>("layers");
        QTest::addRow("gpt2") << "gpt2" << 0.0 << 2;
        QTest::addRow("gpt2, 3 layers") << "gpt2" << 0.0 << 3;
        QTest::addRow("gpt_neox, quarter rotary") << "gpt_neox" << 0.25 << 2;
        QTest::addRow("gpt_neox, full rotary, 3 layers") << "gpt_neox" << 1.0 << 3;
    }
    void savedModelReloadsWithEqualLogits()
    {
        QFETCH(QString, modelType);
        QFETCH(double, rotaryPct);
        QFETCH(int, layers);
        auto shape = tinyShape();
        shape.architecture = trainableArchitecture(modelType.toStdString());
        shape.rotaryPct = rotaryPct;
        shape.nLayers = layers;
        LmTrainingOptions options;
        options.batchTokens = 4 * 16;
        options.warmup = 2;
        LmTrainer trainer(shape, cyclicRows(16, 16), 6, options);
        for (int i = 0; i < 6; ++i)
            trainer.step();  // trained weights, not the symmetric initial ones (biases, norms moved)
        test::TempDir dir;
        trainer.model().save(dir.path());
        const auto loaded = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        QCOMPARE(loaded->config().modelType, modelType.toStdString());
        QCOMPARE(loaded->config().rotaryDim, trainer.model().config().rotaryDim);
        const auto tokens = at::randint(0, 64, {2, 16}, at::kLong);
        ActivationCache cache;
        const auto expected = loaded->forward(tokens, cache, {});
        c10::NoGradGuard noGrad;
        const auto actual = trainer.model().forward(tokens);
        QVERIFY2(maxRelativeError(actual, expected) < 1e-4, qPrintable(QString::number(maxRelativeError(actual, expected))));
    }

    // Continuing at longer rows: every trained tensor comes back, the saved positions first and
    // the new ones repeating the second half of them; any other shape change is refused.
    void continuesFromASavedModelWithMorePositions()
    {
        auto shape = tinyShape();
        LmTrainingOptions options;
        options.batchTokens = 4 * 16;
        options.warmup = 2;
        LmTrainer trained(shape, cyclicRows(16, 16), 6, options);
        for (int i = 0; i < 6; ++i)
            trained.step();
        test::TempDir dir;
        trained.model().save(dir / "short");

        auto longer = shape;
        longer.nCtx = 40;
        LanguageModel continued(longer, options.seed, at::kCPU);
        continued.continueFrom(dir / "short");
        const auto before = trained.model().parameters();
        const auto after = continued.parameters();
        QCOMPARE(after.size(), before.size());
        int grown = 0;
        for (size_t i = 0; i < after.size(); ++i) {
            if (after[i].sizes() == before[i].sizes()) {
                QVERIFY(at::equal(after[i], before[i]));
                continue;
            }
            ++grown;  // the position embedding: [40, d] from [16, d]
            QCOMPARE(after[i].size(0), int64_t(40));
            QVERIFY(at::equal(after[i].narrow(0, 0, 16), before[i]));
            for (int64_t p = 16; p < 40; ++p)  // 8..15, 8..15, 8..15
                QVERIFY(at::equal(after[i][p], before[i][8 + (p - 8) % 8]));
        }
        QCOMPARE(grown, 1);
        // It then trains on rows of the new length.
        options.continueFrom = dir / "short";
        LmTrainer resumed(longer, cyclicRows(16, 40), 2, options);
        QVERIFY(at::equal(resumed.model().parameters().front(), before.front()));
        QVERIFY(std::isfinite(resumed.step().loss));

        auto wider = longer;
        wider.dModel = 64;
        LanguageModel mismatched(wider, 0, at::kCPU);
        try {
            mismatched.continueFrom(dir / "short");
            QFAIL("a model of another width continued");
        } catch (const Error& error) {
            QCOMPARE(error.kind(), ErrorKind::InvalidFile);
            QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("transformer.wte.weight")), error.what());
        }
        auto shorter = shape;
        shorter.nCtx = 8;
        LanguageModel shrunk(shorter, 0, at::kCPU);
        QVERIFY_THROWS_EXCEPTION(Error, shrunk.continueFrom(dir / "short"));
        LanguageModel missing(shape, 0, at::kCPU);
        QVERIFY_THROWS_EXCEPTION(Error, missing.continueFrom(dir / "nowhere"));
    }

    void endToEndRunWritesFolderLogAndReport()
    {
        test::TempDir dir;
        std::string text;
        for (int i = 0; i < 60; ++i)
            text += "The cat sat on the mat. The dog sat on the log. " + std::to_string(i % 7) + "\n\n";
        test::writeFile(dir / "corpus.txt", text);
        test::writeFile(dir / "heldout.txt", "The dog sat on the mat. The cat sat on the log.\n\nThe cat sat on the mat. 3 The dog sat.\n");
        writeBpeTokenizer(dir / "tok.json", trainByteLevelBpe({text}, {300, 2}));
        LmTrainingOptions options;
        options.shape = tinyShape();
        options.batchTokens = 8 * 16;
        options.steps = 30;
        options.lr = 1e-2;
        options.warmup = 3;
        int calls = 0;
        const auto report = trainLanguageModel(dir / "tok.json", {dir / "corpus.txt"}, {dir / "heldout.txt"}, dir / "out", options,
                                               [&](const LmProgress& p) {
                                                   ++calls;
                                                   QCOMPARE(p.totalSteps, int64_t(30));
                                               });
        QCOMPARE(calls, 30);
        QCOMPARE(report.steps, int64_t(30));
        QVERIFY2(report.heldoutLoss < report.unigramLoss,
                 qPrintable(QStringLiteral("held-out %1, unigram %2").arg(report.heldoutLoss).arg(report.unigramLoss)));
        for (const char* name : {"config.json", "model.safetensors", "tokenizer.json", "training_log.csv", "training_report.json"})
            QVERIFY2(std::filesystem::exists(dir / "out" / name), name);
        const auto json = nlohmann::json::parse(readText(dir / "out" / "training_report.json"));
        QCOMPARE(json.at("heldout_loss").get<double>(), report.heldoutLoss);
        QCOMPARE(json.at("unigram_loss").get<double>(), report.unigramLoss);
        const auto log = readText(dir / "out" / "training_log.csv");
        QVERIFY(log.starts_with("step,tokens,loss,lr\n1,128,"));
        QCOMPARE(std::count(log.begin(), log.end(), '\n'), 31L);
        // The folder loads as a model with its tokenizer, and reproduces the reported loss.
        const auto loaded = Transformer::load(dir / "out", at::kCPU, at::kFloat);
        QCOMPARE(loaded->config().vocabSize, Tokenizer::fromFile(dir / "out" / "tokenizer.json").vocabSize());
    }

    void badCorpusGivesClearError_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::addRow("empty") << QByteArray() << QStringLiteral("empty");
        QTest::addRow("binary") << QByteArray("\x7f" "ELF\x02\x01\x01\0\0\0", 10) << QStringLiteral("NUL byte");
        QTest::addRow("invalid UTF-8") << QByteArray("abc\xfe\xff") << QStringLiteral("invalid UTF-8");
        QTest::addRow("missing") << QByteArray("<missing>") << QStringLiteral("does not exist");
        QTest::addRow("too short") << QByteArray("hi") << QStringLiteral("fewer than one row");
    }
    void badCorpusGivesClearError()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        test::TempDir dir;
        writeBpeTokenizer(dir / "tok.json", trainByteLevelBpe({"some text"}, {260, 1}));
        if (content != QByteArray("<missing>"))
            test::writeFile(dir / "corpus.txt", content.toStdString());
        LmTrainingOptions options;
        options.shape = tinyShape();
        options.steps = 2;
        try {
            trainLanguageModel(dir / "tok.json", {dir / "corpus.txt"}, {}, dir / "out", options, {});
            QFAIL("no error");
        } catch (const Error& error) {
            const auto message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains(expected), qPrintable(message));
        }
        QVERIFY(!std::filesystem::exists(dir / "out" / "model.safetensors"));
    }

    void rejectsBadShapesAndOptions()
    {
        auto shape = tinyShape();
        shape.nHeads = 5;
        QVERIFY_THROWS_EXCEPTION(Error, LanguageModel(shape, 0, at::kCPU));
        shape = tinyShape();
        shape.architecture = Architecture::GptNeox;
        shape.rotaryPct = 0.1;  // 0 rotary dims of 8
        QVERIFY_THROWS_EXCEPTION(Error, LanguageModel(shape, 0, at::kCPU));
        QVERIFY_THROWS_EXCEPTION(Error, trainableArchitecture("llama"));
        QVERIFY_THROWS_EXCEPTION(Error, LanguageModel(shape, 0, at::kCPU));
        LmTrainingOptions options;
        options.batchTokens = 8;  // less than a row
        QVERIFY_THROWS_EXCEPTION(Error, LmTrainer(tinyShape(), cyclicRows(4, 16), 5, options));
        options = {};
        options.lr = std::nan("");
        QVERIFY_THROWS_EXCEPTION(Error, LmTrainer(tinyShape(), cyclicRows(4, 16), 5, options));
        LanguageModel model(tinyShape(), 0, at::kCPU);
        QVERIFY_THROWS_EXCEPTION(Error, model.forward(at::full({1, 4}, 64, at::kLong)));
        QVERIFY_THROWS_EXCEPTION(Error, model.forward(at::zeros({1, 17}, at::kLong)));
    }

    void syntheticRowsRepeat()
    {
        // With only synthetic rows the model sees repeated random sequences; training still runs
        // and the tokens never include <|endoftext|>.
        LmTrainingOptions options;
        options.batchTokens = 4 * 16;
        options.syntheticFraction = 1.0;
        LmTrainer trainer(tinyShape(), cyclicRows(4, 16), 3, options);
        for (int i = 0; i < 3; ++i)
            QVERIFY(std::isfinite(trainer.step().loss));
    }
};

QTEST_APPLESS_MAIN(TestLmTrainer)
#include "test_lm_trainer.moc"
