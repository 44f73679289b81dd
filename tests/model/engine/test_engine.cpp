#include <torch/torch.h>

#include "model/core/error.h"
#include "model/tools/activation_dump.h"
#include "model/engine/engine.h"
#include "tests/model/engine/exact_lorsa.h"
#include "tests/support/cpu_engine_options.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

using namespace lorsa;

namespace {

const std::string kPrompt = "When Mary and John went to the store, John gave a drink to Mary.";

ErrorKind kindOf(const std::function<void()>& work, std::string* message = nullptr)
{
    try {
        work();
    } catch (const Error& error) {
        if (message)
            *message = error.what();
        return error.kind();
    }
    throw std::runtime_error("expected a lorsa::Error");
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exactLorsaIsDetectedAndReconstructs_data()
    {
        QTest::addColumn<bool>("affine");
        QTest::addRow("trained on the plain normalised input") << false;
        QTest::addRow("trained on the LayerNorm output (affine)") << true;
    }
    void exactLorsaIsDetectedAndReconstructs()
    {
        QFETCH(bool, affine);
        test::TempDir dir;
        test::Gpt2FixtureOptions model;
        test::writeTinyGpt2(dir / "gpt2", model);
        std::filesystem::create_directories(dir / "lorsa");
        test::writeExactGpt2Lorsa(dir / "lorsa", dir / "gpt2", 1, model.nHeads, affine);
        const Engine engine(test::cpuEngineOptions(dir / "gpt2", dir / "lorsa"));
        const auto expected = affine ? LorsaInputMode::Affine : LorsaInputMode::Normalized;
        QCOMPARE(engine.inputMode().how, std::string("detected"));
        QCOMPARE(engine.inputMode().chosen, expected);
        QVERIFY(*engine.inputMode().fvuNormalized >= 0.0 && *engine.inputMode().fvuAffine >= 0.0);

        const auto prompt = engine.encodePrompt(kPrompt, true);
        RunRequest request;
        request.fidelity = true;
        request.modelHooks.names = {"blocks.1.hook_attn_out"};
        const auto result = engine.run(at::tensor(prompt.ids, at::kLong).unsqueeze(0), request);
        QVERIFY(result.fidelity.has_value());
        QVERIFY2(result.fidelity->fvu < 1e-8, std::to_string(result.fidelity->fvu).c_str());
        QVERIFY(std::abs(result.fidelity->splicedLoss - result.fidelity->cleanLoss) < 1e-4);
        QVERIFY(result.fidelity->cleanLoss > 0.0);
        // Exactly one OV head of each +/- twin is positive.
        const auto heads = static_cast<float>(engine.lorsa()->config().nOvHeads) / 2.0f;
        for (const float l0 : result.fidelity->l0PerToken)
            QVERIFY(l0 <= heads && l0 >= heads - 4);
        // The reconstruction in model units matches the (centred, for this input) attention output.
        const auto target = engine.reconstructionTarget(result.cache.at("blocks.1.hook_attn_out"), expected);
        QVERIFY((target - result.lorsa->reconstructed).abs().max().item<float>() < 1e-4f * target.abs().max().item<float>());
    }

    void overrideIsReported()
    {
        test::TempDir dir;
        test::writeTinyGpt2(dir / "gpt2");
        std::filesystem::create_directories(dir / "lorsa");
        test::writeExactGpt2Lorsa(dir / "lorsa", dir / "gpt2", 0, 4, false);
        auto options = test::cpuEngineOptions(dir / "gpt2", dir / "lorsa");
        options.lorsaInput = LorsaInputMode::Affine;
        const Engine engine(options);
        QCOMPARE(engine.inputMode().chosen, LorsaInputMode::Affine);
        QCOMPARE(engine.inputMode().how, std::string("override"));
    }

    void untrainedLorsaFallsBackToFormatDefault()
    {
        test::TempDir dir;
        test::writeTinyGpt2(dir / "gpt2");
        test::LorsaFixtureOptions lorsaOptions;
        lorsaOptions.dModel = 32;
        lorsaOptions.rotary = false;
        test::writeTinyLorsa(dir / "lorsa", lorsaOptions);
        const Engine engine(test::cpuEngineOptions(dir / "gpt2", dir / "lorsa"));
        QCOMPARE(engine.inputMode().chosen, LorsaInputMode::Normalized);
        QVERIFY(engine.inputMode().how.find("inconclusive") != std::string::npos);
    }

    void mismatchedLorsaIsRefused_data()
    {
        QTest::addColumn<int>("dModel");
        QTest::addColumn<int>("layer");
        QTest::addColumn<int>("nCtx");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("d_model") << 16 << 0 << 64 << QStringLiteral("d_model");
        QTest::addRow("layer") << 32 << 5 << 64 << QStringLiteral("layer");
        QTest::addRow("context") << 32 << 0 << 128 << QStringLiteral("context length");
    }
    void mismatchedLorsaIsRefused()
    {
        QFETCH(int, dModel);
        QFETCH(int, layer);
        QFETCH(int, nCtx);
        QFETCH(QString, mentions);
        test::TempDir dir;
        test::writeTinyGpt2(dir / "gpt2");
        test::LorsaFixtureOptions lorsaOptions;
        lorsaOptions.dModel = dModel;
        lorsaOptions.layer = layer;
        lorsaOptions.nCtx = nCtx;
        test::writeTinyLorsa(dir / "lorsa", lorsaOptions);
        std::string message;
        QCOMPARE(kindOf([&] { Engine engine(test::cpuEngineOptions(dir / "gpt2", dir / "lorsa")); }, &message), ErrorKind::Mismatch);
        QVERIFY2(message.find(mentions.toStdString()) != std::string::npos, message.c_str());
    }

    void missingFoldersAreNamed()
    {
        test::TempDir dir;
        test::writeTinyGpt2(dir / "gpt2");
        std::string message;
        QCOMPARE(kindOf([&] { Engine engine(test::cpuEngineOptions(dir / "absent")); }, &message), ErrorKind::InvalidFile);
        QVERIFY2(message == (dir / "absent").string() + ": no such folder", message.c_str());
        QCOMPARE(kindOf([&] { Engine engine(test::cpuEngineOptions(dir / "gpt2", dir / "gpt2" / "config.json")); }, &message), ErrorKind::InvalidFile);
        QVERIFY2(message.find("config.json: not a folder") != std::string::npos, message.c_str());
    }

    // The default precision is "auto": on the CPU a bfloat16 checkpoint runs in float32 (its
    // weights kept as stored); a named precision is taken as named.
    void defaultPrecisionOnTheCpuIsFloat32()
    {
        test::TempDir dir;
        test::LlamaFixtureOptions o;
        o.dtype = test::FixtureDtype::BF16;
        test::writeTinyLlama(dir / "llama", o);
        auto options = test::cpuEngineOptions(dir / "llama");
        QCOMPARE(options.dtype, std::string("auto"));
        QCOMPARE(Engine(options).dtype(), at::kFloat);
        options.dtype = "bfloat16";
        QCOMPARE(Engine(options).dtype(), at::kBFloat16);
        options.dtype = "float8";
        std::string message;
        QCOMPARE(kindOf([&] { Engine engine(options); }, &message), ErrorKind::Device);
        QVERIFY2(message.find("unknown dtype 'float8'") != std::string::npos, message.c_str());
    }

    void promptsAreValidated()
    {
        test::TempDir dir;
        test::writeTinyGpt2(dir / "gpt2");
        const Engine engine(test::cpuEngineOptions(dir / "gpt2"));
        QCOMPARE(kindOf([&] { engine.encodePrompt("", true); }), ErrorKind::InvalidInput);
        QCOMPARE(kindOf([&] { engine.encodePrompt("bad \xff\xfe utf-8", true); }), ErrorKind::InvalidInput);
        const auto exact = engine.encodePrompt(std::string(63, 'q'), true);
        QCOMPARE(exact.ids.size(), size_t(64));
        QCOMPARE(exact.truncatedFrom, int64_t(0));
        // Beyond the model's 64 positions: cut to them, and said so, never refused.
        const auto cut = engine.encodePrompt(std::string(500, 'q'), true);
        QCOMPARE(cut.ids, exact.ids);
        QCOMPARE(cut.byteSpans, exact.byteSpans);
        QCOMPARE(cut.truncatedFrom, int64_t(501));
    }

    void bosIsPrependedOnce()
    {
        test::TempDir dir;
        test::writeTinyGpt2(dir / "gpt2");
        test::writeTinyLlama(dir / "llama");
        const Engine gpt2(test::cpuEngineOptions(dir / "gpt2"));
        const auto withBos = gpt2.encodePrompt("hello", true);
        const auto without = gpt2.encodePrompt("hello", false);
        QCOMPARE(withBos.ids.size(), without.ids.size() + 1);
        QCOMPARE(withBos.ids.front(), *gpt2.model().config().bosTokenId);
        QCOMPARE(withBos.byteSpans.front(), std::make_pair(int64_t(0), int64_t(0)));
        const auto again = gpt2.encodePrompt("<|endoftext|>hello", true);
        QCOMPARE(again.ids, withBos.ids);
        // The llama tokenizer's post-processor adds <|begin_of_text|> itself: not doubled.
        const Engine llama(test::cpuEngineOptions(dir / "llama"));
        const auto ids = llama.encodePrompt("hello", true).ids;
        QCOMPARE(ids.front(), int64_t(266));
        QVERIFY(ids.size() < 2 || ids[1] != 266);
    }

    void batchRowsMatchSingleRuns()
    {
        test::TempDir dir;
        test::NeoxFixtureOptions model;
        test::writeTinyNeox(dir / "neox", model);
        test::LorsaFixtureOptions lorsaOptions;
        lorsaOptions.dModel = model.dModel;
        lorsaOptions.layer = 1;
        lorsaOptions.rotaryAdjacentPairs = false;
        test::writeTinyLorsa(dir / "lorsa", lorsaOptions);
        const Engine engine(test::cpuEngineOptions(dir / "neox", dir / "lorsa"));
        const auto a = engine.encodePrompt("the cat sat on the mat", true).ids;
        auto b = a;
        std::reverse(b.begin() + 1, b.end());
        RunRequest request;
        request.lorsa = true;
        auto both = at::stack({at::tensor(a, at::kLong), at::tensor(b, at::kLong)});
        const auto batch = engine.run(both, request);
        for (int row = 0; row < 2; ++row) {
            const auto single = engine.run(both.narrow(0, row, 1), request);
            const auto difference = (single.lorsa->hiddenPre - batch.lorsa->hiddenPre.narrow(0, row, 1)).abs().max().item<float>();
            QVERIFY(difference < 1e-5f);
        }
    }

    void dumpHoldsRequestedTensorsWithoutBatch()
    {
        test::TempDir dir;
        test::Gpt2FixtureOptions model;
        test::writeTinyGpt2(dir / "gpt2", model);
        std::filesystem::create_directories(dir / "lorsa");
        test::writeExactGpt2Lorsa(dir / "lorsa", dir / "gpt2", 1, model.nHeads, false);
        const Engine engine(test::cpuEngineOptions(dir / "gpt2", dir / "lorsa"));
        const auto prompt = engine.encodePrompt(kPrompt, true);
        const auto T = static_cast<int64_t>(prompt.ids.size());
        DumpRequest request;
        request.zHeads = {3, 0};
        const auto tensors = computeDump(engine, prompt, request);
        std::map<std::string, at::Tensor> byName(tensors.begin(), tensors.end());
        QCOMPARE(tensors.size(), defaultDumpNames(engine, true).size());
        QCOMPARE(byName.at("tokens").scalar_type(), at::kLong);
        QCOMPARE(byName.at("tokens").sizes().vec(), std::vector<int64_t>({T}));
        QCOMPARE(byName.at("blocks.1.attn.hook_pattern").sizes().vec(), std::vector<int64_t>({4, T, T}));
        QCOMPARE(byName.at("blocks.0.attn.hook_z").sizes().vec(), std::vector<int64_t>({T, 4, 8}));
        QCOMPARE(byName.at("logits").sizes().vec(), std::vector<int64_t>({T, model.vocabSize}));
        QCOMPARE(byName.at("lorsa.hook_attn_pattern").sizes().vec(), std::vector<int64_t>({4, T, T}));
        QCOMPARE(byName.at("lorsa.hook_feature_acts").sizes().vec(), std::vector<int64_t>({T, 64}));
        QCOMPARE(byName.at("lorsa.z_pattern").sizes().vec(), std::vector<int64_t>({2, T, T}));
        QCOMPARE(byName.at("lorsa.z_pattern_heads").scalar_type(), at::kLong);
        // z-pattern rows sum to the pre-activation of their head.
        const auto rowSums = byName.at("lorsa.z_pattern").sum(-1);  // [2,T]
        const auto hidden = byName.at("lorsa.hook_hidden_pre").index_select(1, at::tensor(std::vector<int64_t>{3, 0}, at::kLong)).t();
        QVERIFY((rowSums - hidden).abs().max().item<float>() < 1e-5f);
        // The exact Lorsa's QK patterns are the model's own.
        QVERIFY((byName.at("lorsa.hook_attn_pattern") - byName.at("blocks.1.attn.hook_pattern")).abs().max().item<float>() < 1e-5f);
        for (const auto& [name, tensor] : tensors)
            QVERIFY2(tensor.scalar_type() == at::kFloat || tensor.scalar_type() == at::kLong, name.c_str());

        DumpRequest unknown;
        unknown.names = {"blocks.9.hook_resid_pre"};
        QCOMPARE(kindOf([&] { computeDump(engine, prompt, unknown); }), ErrorKind::InvalidInput);
        DumpRequest noHeads;
        noHeads.names = {"lorsa.z_pattern"};
        QCOMPARE(kindOf([&] { computeDump(engine, prompt, noHeads); }), ErrorKind::InvalidInput);
        DumpRequest badHead;
        badHead.zHeads = {64};
        QCOMPARE(kindOf([&] { computeDump(engine, prompt, badHead); }), ErrorKind::InvalidInput);
    }
};

QTEST_APPLESS_MAIN(TestEngine)
#include "test_engine.moc"
