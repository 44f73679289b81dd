#include <torch/torch.h>

#include "model/core/atomic_file.h"
#include "model/core/error.h"
#include "model/engine/engine.h"
#include "model/io/tensor_source.h"
#include "model/lorsa/lorsa_layer.h"
#include "model/training/lorsa_trainer.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

#include <fstream>

using namespace lorsa;

namespace {

/// A few kilobytes of plain English, documents separated by blank lines.
std::string corpusText(int documents, int offset)
{
    static const std::vector<std::string> words = {"the", "cat", "sat", "on", "a", "mat", "and", "then", "dog", "ran", "to",
                                                   "house", "where", "bird", "sang", "in", "tree", "while", "sun", "rose"};
    std::string text;
    uint64_t state = 12345 + static_cast<uint64_t>(offset);
    for (int d = 0; d < documents; ++d) {
        for (int w = 0; w < 60; ++w) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            text += words[(state >> 33) % words.size()];
            text += (w % 12 == 11) ? ".\n" : " ";
        }
        text += "\n\n";
    }
    return text;
}

struct Fixture {
    test::TempDir dir;
    test::NeoxFixtureOptions model;

    Fixture()
    {
        test::writeTinyNeox(dir / "model", model);
        test::writeFile(dir / "corpus.txt", corpusText(40, 0));
        test::writeFile(dir / "heldout.txt", corpusText(6, 99));
    }

    LorsaTrainingOptions options(const std::string& out) const
    {
        LorsaTrainingOptions o;
        o.modelDir = dir / "model";
        o.layer = 1;
        o.corpus = {dir / "corpus.txt"};
        o.outDir = dir / out;
        o.nOvHeads = 64;
        o.nQkHeads = 8;
        o.topK = 6;
        o.startK = 12;
        o.kWarmupTokens = 1024;
        o.lr = 5e-3;
        o.lrWarmupFraction = 0.1;
        o.lrCooldownFraction = 0.2;
        o.contextLength = 32;
        o.batchTokens = 128;
        o.totalTokens = 128 * 40;
        o.bufferRows = 16;
        o.normSampleTokens = 256;
        o.threads = 1;
        o.logEverySteps = 5;
        o.seed = 7;
        return o;
    }
};

template <typename Work>
std::pair<ErrorKind, std::string> errorOf(Work work)
{
    try {
        work();
    } catch (const Error& error) {
        return {error.kind(), error.what()};
    }
    throw std::runtime_error("expected a lorsa::Error");
}

double maxRelativeError(const at::Tensor& expected, const at::Tensor& actual)
{
    const auto e = expected.to(at::kDouble), a = actual.to(at::kDouble);
    return ((e - a).abs().max() / e.abs().max().clamp_min(1e-12)).item<double>();
}

at::Tensor someTokens(const Engine& engine)
{
    return at::tensor(engine.encodePrompt("the cat sat on a mat and then the dog ran to the house.", true).ids, at::kLong).unsqueeze(0);
}

} // namespace

class TestLorsaTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void learningRateSchedule_data()
    {
        QTest::addColumn<int64_t>("step");
        QTest::addColumn<double>("expected");
        // 100 steps, lr 1e-3, warm-up 10 steps, cool-down the last 20 to 0.1 * lr.
        QTest::addRow("first warm-up step") << int64_t(0) << 1e-4;
        QTest::addRow("mid warm-up") << int64_t(4) << 5e-4;
        QTest::addRow("end of warm-up") << int64_t(9) << 1e-3;
        QTest::addRow("plateau") << int64_t(50) << 1e-3;
        QTest::addRow("last plateau step") << int64_t(79) << 1e-3;
        QTest::addRow("first cool-down step") << int64_t(80) << 1e-3 * (1 - 0.9 * 1 / 20.0);
        QTest::addRow("mid cool-down") << int64_t(89) << 1e-3 * (1 - 0.9 * 10 / 20.0);
        QTest::addRow("last step") << int64_t(99) << 1e-4;
    }
    void learningRateSchedule()
    {
        QFETCH(int64_t, step);
        QFETCH(double, expected);
        LorsaTrainingOptions o;
        o.lr = 1e-3;
        o.lrWarmupFraction = 0.1;
        o.lrCooldownFraction = 0.2;
        o.lrEndRatio = 0.1;
        o.contextLength = 10;
        o.batchTokens = 100;
        o.totalTokens = 100 * 100;
        o.bufferRows = 10;
        o.normSampleTokens = 10;
        const auto plan = planTraining(o);
        QCOMPARE(plan.totalSteps, int64_t(100));
        QCOMPARE(plan.rowsPerBatch, int64_t(10));
        QVERIFY2(std::abs(learningRateAt(step, plan, o) - expected) < 1e-12, std::to_string(learningRateAt(step, plan, o)).c_str());
    }

    void topKSchedule_data()
    {
        QTest::addColumn<int64_t>("tokens");
        QTest::addColumn<int64_t>("expected");
        // start_k 64 -> k 16 over 1000 tokens: 64 - 48 * tokens / 1000, rounded up.
        QTest::addRow("start") << int64_t(0) << int64_t(64);
        QTest::addRow("a quarter") << int64_t(250) << int64_t(52);
        QTest::addRow("rounded up") << int64_t(501) << int64_t(40);
        QTest::addRow("almost done") << int64_t(999) << int64_t(17);
        QTest::addRow("done") << int64_t(1000) << int64_t(16);
        QTest::addRow("after") << int64_t(5000) << int64_t(16);
    }
    void topKSchedule()
    {
        QFETCH(int64_t, tokens);
        QFETCH(int64_t, expected);
        LorsaTrainingOptions o;
        o.topK = 16;
        o.startK = 64;
        o.kWarmupTokens = 1000;
        QCOMPARE(topKAt(tokens, o), expected);
        o.startK = 0;
        QCOMPARE(topKAt(tokens, o), int64_t(16));
    }

    void trainingReducesLossAndMatchesLorsaLayer()
    {
        Fixture f;
        auto options = f.options("lorsa");
        options.heldout = {f.dir / "heldout.txt"};
        LorsaTrainer trainer(options);
        const auto result = trainer.run();
        QCOMPARE(result.steps, int64_t(40));
        QCOMPARE(static_cast<int64_t>(result.losses.size()), int64_t(40));
        double early = 0, late = 0;
        for (int i = 0; i < 5; ++i) {
            early += result.losses[static_cast<size_t>(i)];
            late += result.losses[result.losses.size() - 1 - static_cast<size_t>(i)];
        }
        QVERIFY2(late < 0.7 * early, (std::to_string(early / 5) + " -> " + std::to_string(late / 5)).c_str());

        // The saved folder through the engine's own loader reproduces the trainer's module.
        const auto layer = LorsaLayer::load(options.outDir, at::kCPU, at::kFloat);
        QCOMPARE(layer->config().nOvHeads, int64_t(64));
        QCOMPARE(layer->config().nQkHeads, int64_t(8));
        QCOMPARE(layer->config().topK, int64_t(6));
        QCOMPARE(layer->config().normActivation, std::string("dataset-wise"));
        const auto tokens = someTokens(trainer.engine());
        const auto [x, y] = trainer.activations(tokens);
        const auto expected = trainer.reconstruct(x);
        const auto actual = layer->forward(x).reconstructed;
        QVERIFY2(maxRelativeError(expected, actual) < 1e-4, std::to_string(maxRelativeError(expected, actual)).c_str());

        const auto metadata = openSafetensors(options.outDir / "sae_weights.safetensors")->metadata();
        QCOMPARE(metadata.at("lorsa_input"), std::string("normalized"));
        QCOMPARE(metadata.at("target"), std::string("centred attn_out"));
        // The engine takes the recorded input convention instead of measuring it.
        QCOMPARE(layer->config().recordedInput, std::string("normalized"));
        EngineOptions engineOptions;
        engineOptions.modelDir = options.modelDir;
        engineOptions.lorsaDir = options.outDir;
        engineOptions.device = "cpu";
        const Engine reloaded(engineOptions);
        QCOMPARE(reloaded.inputMode().how, std::string("recorded in the checkpoint"));
        QVERIFY(reloaded.inputMode().chosen == LorsaInputMode::Normalized);

        // Log and evaluation.
        const auto log = test::readFile(options.outDir / kTrainingLogFile);
        QVERIFY(log.rfind("step,tokens,loss,fvu,l0,dead_heads,lr,k\n", 0) == 0);
        QCOMPARE(std::count(log.begin(), log.end(), '\n'), 1 + 40 / 5);
        QVERIFY(result.evaluation.has_value());
        QVERIFY(result.evaluation->tokens > 0);
        QVERIFY(result.evaluation->fvu > 0 && result.evaluation->fvu < 1.5);
        QVERIFY(result.evaluation->l0 <= 6.0 + 1e-9);
        QVERIFY(std::filesystem::exists(options.outDir / kEvaluationFile));
    }

    void qkHeadsStartAsTheModelsHeads()
    {
        Fixture f;
        auto options = f.options("init");
        options.totalTokens = 128;
        LorsaTrainer trainer(options);
        trainer.save();
        const auto layer = LorsaLayer::load(options.outDir, at::kCPU, at::kFloat);
        const auto tokens = someTokens(trainer.engine());
        RunRequest request;
        request.modelHooks.names = {"blocks.1.attn.hook_pattern", "blocks.1.ln1.hook_normalized"};
        const auto run = trainer.engine().run(tokens, request);
        const auto x = run.cache.at("blocks.1.ln1.hook_normalized");
        const auto model = run.cache.at("blocks.1.attn.hook_pattern");  // [1,4,T,T]
        const auto lorsa = layer->patterns(x, {0, 1, 2, 3, 4, 5, 6, 7});  // [1,8,T,T]
        for (int64_t j = 0; j < 8; ++j) {
            const double err = maxRelativeError(model.select(1, j / 2), lorsa.select(1, j));
            QVERIFY2(err < 1e-4, ("QK head " + std::to_string(j) + ": " + std::to_string(err)).c_str());
        }
    }

    void checkpointReloadsExactlyAndResumes()
    {
        Fixture f;
        auto whole = f.options("whole");
        whole.totalTokens = 128 * 16;
        LorsaTrainer uninterrupted(whole);
        const auto reference = uninterrupted.trainSteps(16);

        auto part = f.options("part");
        part.totalTokens = whole.totalTokens;
        std::vector<double> losses;
        NamedTensors saved;
        {
            LorsaTrainer first(part);
            losses = first.trainSteps(7);
            first.save();
            saved = first.parameters();
        }
        const auto state = loadTrainingState(part.outDir);
        QCOMPARE(state.step, int64_t(7));
        QCOMPARE(state.tokens, int64_t(7 * 128));
        for (size_t i = 0; i < saved.size(); ++i) {
            QCOMPARE(state.parameters[i].first, saved[i].first);
            QVERIFY2(at::equal(state.parameters[i].second, saved[i].second.detach()), saved[i].first.c_str());
        }
        part.resume = true;
        LorsaTrainer resumed(part);
        QCOMPARE(resumed.step(), int64_t(7));
        for (size_t i = 0; i < saved.size(); ++i)
            QVERIFY(at::equal(resumed.parameters()[i].second.detach(), saved[i].second.detach()));
        const auto rest = resumed.trainSteps(9);
        losses.insert(losses.end(), rest.begin(), rest.end());
        QCOMPARE(losses.size(), reference.size());
        for (size_t i = 0; i < losses.size(); ++i)
            QVERIFY2(losses[i] == reference[i], ("step " + std::to_string(i) + ": " + std::to_string(losses[i]) + " vs " +
                                                 std::to_string(reference[i])).c_str());
    }

    void interruptedSaveKeepsThePreviousCheckpoint()
    {
        Fixture f;
        auto options = f.options("crash");
        auto failing = std::make_shared<bool>(false);
        LorsaTrainingHooks hooks;
        hooks.writer = [failing](const std::filesystem::path& file, const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
            if (!*failing)
                return writeSafetensors(file, tensors, metadata);
            // Half a file reaches the disk, then the writer dies.
            writeFileAtomically(file, [](std::ostream& out) {
                out << std::string(1000, 'x');
                throw std::runtime_error("simulated crash while writing");
            });
        };
        LorsaTrainer trainer(options, hooks);
        trainer.trainSteps(3);
        trainer.save();
        const auto stateBytes = test::readFile(options.outDir / kTrainingStateFile);
        const auto weightBytes = test::readFile(options.outDir / "sae_weights.safetensors");
        trainer.trainSteps(3);
        *failing = true;
        bool threw = false;
        try {
            trainer.save();
        } catch (const std::exception&) {
            threw = true;
        }
        QVERIFY(threw);
        QVERIFY(test::readFile(options.outDir / kTrainingStateFile) == stateBytes);
        QVERIFY(test::readFile(options.outDir / "sae_weights.safetensors") == weightBytes);
        QCOMPARE(loadTrainingState(options.outDir).step, int64_t(3));
        auto resume = options;
        resume.resume = true;
        QCOMPARE(LorsaTrainer(resume).step(), int64_t(3));
    }

    void stopRequestSavesAndCancels()
    {
        Fixture f;
        auto options = f.options("stop");
        int steps = 0;
        LorsaTrainingHooks hooks;
        hooks.stopRequested = [&] { return ++steps == 4; };
        LorsaTrainer trainer(options, hooks);
        const auto [kind, message] = errorOf([&] { trainer.run(); });
        QCOMPARE(kind, ErrorKind::Cancelled);
        QVERIFY(message.find("--resume") != std::string::npos);
        QCOMPARE(loadTrainingState(options.outDir).step, int64_t(4));
    }

    void badCorpusFiles_data()
    {
        QTest::addColumn<std::string>("content");
        QTest::addColumn<bool>("create");
        QTest::addColumn<std::string>("problem");
        QTest::addRow("missing") << std::string() << false << std::string("does not exist");
        QTest::addRow("empty") << std::string() << true << std::string("empty");
        QTest::addRow("only whitespace") << std::string(" \n\n\t\n") << true << std::string("empty");
        QTest::addRow("binary") << std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10) << true << std::string("NUL byte at offset 7");
        QTest::addRow("invalid UTF-8") << std::string("good text\n\xff\xfe more") << true << std::string("invalid UTF-8 at byte offset 10");
        QTest::addRow("truncated character") << std::string("caf\xc3") << true << std::string("invalid UTF-8");
    }
    void badCorpusFiles()
    {
        QFETCH(std::string, content);
        QFETCH(bool, create);
        QFETCH(std::string, problem);
        Fixture f;
        auto options = f.options("bad");
        options.corpus = {f.dir / "bad.txt"};
        if (create)
            test::writeFile(f.dir / "bad.txt", content);
        const auto [kind, message] = errorOf([&] { LorsaTrainer trainer(options); });
        QCOMPARE(kind, ErrorKind::InvalidFile);
        QVERIFY2(message.find("bad.txt") != std::string::npos, message.c_str());
        QVERIFY2(message.find(problem) != std::string::npos, message.c_str());
    }

    void badOptions_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<int>("kind");
        QTest::addColumn<std::string>("problem");
        QTest::addRow("layer beyond the model") << 0 << static_cast<int>(ErrorKind::Mismatch) << std::string("--layer 5");
        QTest::addRow("negative layer") << 1 << static_cast<int>(ErrorKind::Mismatch) << std::string("--layer -1");
        QTest::addRow("batch not a multiple of the context") << 2 << static_cast<int>(ErrorKind::InvalidInput) << std::string("--batch-tokens");
        QTest::addRow("bfloat16 on the CPU") << 3 << static_cast<int>(ErrorKind::Unsupported) << std::string("CUDA");
        QTest::addRow("QK heads not a multiple of the model's") << 4 << static_cast<int>(ErrorKind::InvalidInput) << std::string("--n-qk-heads");
        QTest::addRow("resume without a checkpoint") << 5 << static_cast<int>(ErrorKind::InvalidFile) << std::string("no training state");
    }
    void badOptions()
    {
        QFETCH(int, which);
        QFETCH(int, kind);
        QFETCH(std::string, problem);
        Fixture f;
        auto options = f.options("opts");
        switch (which) {
        case 0: options.layer = 5; break;
        case 1: options.layer = -1; break;
        case 2: options.batchTokens = 100; break;
        case 3: options.dtype = "bfloat16"; break;
        case 4: options.nQkHeads = 6; options.nOvHeads = 60; break;
        default: options.resume = true; break;
        }
        const auto [errorKind, message] = errorOf([&] { LorsaTrainer trainer(options); });
        QCOMPARE(static_cast<int>(errorKind), kind);
        QVERIFY2(message.find(problem) != std::string::npos, message.c_str());
    }
};

QTEST_APPLESS_MAIN(TestLorsaTrainer)
#include "test_lorsa_trainer.moc"
