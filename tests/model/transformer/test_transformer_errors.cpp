#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "model/transformer/transformer.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <torch/torch.h>

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace lorsa;

Q_DECLARE_METATYPE(lorsa::ErrorKind)

namespace {

nlohmann::json readJson(const std::filesystem::path& file)
{
    std::ifstream in(file);
    return nlohmann::json::parse(in);
}

void writeJson(const std::filesystem::path& file, const nlohmann::json& value)
{
    test::writeFile(file, value.dump());
}

// Rewrites model.safetensors through \p edit (name -> tensor list).
void editWeights(const std::filesystem::path& dir,
                 const std::function<void(std::vector<std::pair<std::string, at::Tensor>>&)>& edit)
{
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    {
        const auto source = openSafetensors(dir / "model.safetensors");
        for (const auto& name : source->names())
            tensors.emplace_back(name, source->load(name).clone());
    }
    edit(tensors);
    writeSafetensors(dir / "model.safetensors", tensors);
}

// Runs \p f and checks it throws Error of \p kind whose message contains every one of \p parts.
void expectError(const std::function<void()>& f, ErrorKind kind, const std::vector<std::string>& parts)
{
    try {
        f();
    } catch (const Error& error) {
        QCOMPARE(int(error.kind()), int(kind));
        for (const auto& part : parts)
            QVERIFY2(std::string(error.what()).find(part) != std::string::npos,
                     qPrintable(QStringLiteral("'%1' not in: %2").arg(QString::fromStdString(part), QString::fromUtf8(error.what()))));
        return;
    }
    QFAIL("no lorsa::Error thrown");
}

} // namespace

class TestTransformerErrors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesFixtureConfigs()
    {
        test::TempDir dir;
        test::LlamaFixtureOptions o;
        o.llama3Scaling = true;
        test::writeTinyLlama(dir / "llama", o);
        const auto llama = loadModelConfig(dir / "llama");
        QCOMPARE(llama.architecture, Architecture::Llama);
        QCOMPARE(llama.norm, NormKind::RmsNorm);
        QCOMPARE(llama.nKvHeads, int64_t(2));
        QCOMPARE(llama.dHead, int64_t(8));
        QCOMPARE(llama.rotaryDim, int64_t(8));
        QCOMPARE(llama.bosTokenId.value_or(-1), int64_t(266));
        QCOMPARE(llama.eosTokenIds, (std::vector<int64_t>{267, 266}));
        QVERIFY(llama.llama3Scaling);
        QCOMPARE(llama.llama3Scaling->originalMaxPositionEmbeddings, int64_t(16));
        QCOMPARE(llama.name, std::string("llama"));

        test::writeTinyGpt2(dir / "gpt2");
        const auto gpt2 = loadModelConfig(dir / "gpt2");
        QCOMPARE(gpt2.dMlp, int64_t(128));  // n_inner null -> 4 d
        QCOMPARE(gpt2.activation, std::string("gelu_new"));
        QCOMPARE(gpt2.rotaryDim, int64_t(0));

        test::writeTinyNeox(dir / "neox");
        const auto neox = loadModelConfig(dir / "neox");
        QCOMPARE(neox.rotaryDim, int64_t(2));  // int(8 * 0.25)
        QVERIFY(neox.parallelResidual);
        QCOMPARE(neox.activation, std::string("gelu"));
        QCOMPARE(neox.vocabSize, int64_t(320));

        // Qwen3Config: head_dim defaults to 128 whatever the width; per-head q/k norm; no biases.
        o = {};
        o.modelType = "qwen3";
        o.omitHeadDim = true;
        test::writeTinyLlama(dir / "qwen3", o);
        const auto qwen3 = loadModelConfig(dir / "qwen3");
        QCOMPARE(qwen3.architecture, Architecture::Llama);
        QCOMPARE(qwen3.modelType, std::string("qwen3"));
        QCOMPARE(qwen3.dHead, int64_t(128));
        QCOMPARE(qwen3.rotaryDim, int64_t(128));
        QVERIFY(qwen3.qkNorm);
        QVERIFY(!qwen3.attentionBias && !qwen3.attentionOutputBias && !qwen3.mlpBias);

        // Qwen2Attention: q/k/v biases always, none on o_proj; head_dim = hidden / heads.
        o = {};
        o.modelType = "qwen2";
        o.omitHeadDim = true;
        test::writeTinyLlama(dir / "qwen2", o);
        const auto qwen2 = loadModelConfig(dir / "qwen2");
        QCOMPARE(qwen2.dHead, int64_t(8));
        QVERIFY(!qwen2.qkNorm);
        QVERIFY(qwen2.attentionBias && !qwen2.attentionOutputBias);
    }

    void refusesBadConfigs_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("patch");  // JSON merged into the fixture's config
        QTest::addColumn<lorsa::ErrorKind>("kind");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("unknown model_type") << "gpt2" << R"({"model_type": "bert"})" << ErrorKind::Unsupported << "bert";
        QTest::addRow("lists supported types") << "gpt2" << R"({"model_type": "mistral"})" << ErrorKind::Unsupported << "gpt_neox";
        QTest::addRow("zero width") << "gpt2" << R"({"n_embd": 0})" << ErrorKind::InvalidConfig << "n_embd";
        QTest::addRow("negative layers") << "gpt2" << R"({"n_layer": -2})" << ErrorKind::InvalidConfig << "n_layer";
        QTest::addRow("missing heads") << "gpt2" << R"({"n_head": null})" << ErrorKind::InvalidConfig << "n_head";
        QTest::addRow("string size") << "gpt2" << R"({"n_positions": "64"})" << ErrorKind::InvalidConfig << "n_positions";
        QTest::addRow("float size") << "gpt2" << R"({"vocab_size": 300.5})" << ErrorKind::InvalidConfig << "vocab_size";
        QTest::addRow("huge size") << "gpt2" << R"({"n_embd": 99999999999999})" << ErrorKind::InvalidConfig << "n_embd";
        QTest::addRow("heads not dividing") << "gpt2" << R"({"n_head": 5})" << ErrorKind::InvalidConfig << "n_head";
        QTest::addRow("negative eps") << "gpt2" << R"({"layer_norm_epsilon": -1})" << ErrorKind::InvalidConfig << "layer_norm_epsilon";
        QTest::addRow("unknown activation") << "gpt2" << R"({"activation_function": "swish2"})" << ErrorKind::Unsupported << "swish2";
        QTest::addRow("gpt2 layer-scaled attention") << "gpt2" << R"({"scale_attn_by_inverse_layer_idx": true})" << ErrorKind::Unsupported << "scale_attn_by_inverse_layer_idx";
        QTest::addRow("neox zero mlp") << "neox" << R"({"intermediate_size": 0})" << ErrorKind::InvalidConfig << "intermediate_size";
        QTest::addRow("neox rotary_pct 0") << "neox" << R"({"rotary_pct": 0})" << ErrorKind::InvalidConfig << "rotary_pct";
        QTest::addRow("neox odd rotary") << "neox" << R"({"rotary_pct": 0.125})" << ErrorKind::InvalidConfig << "rotary_pct";
        QTest::addRow("neox heads not dividing") << "neox" << R"({"num_attention_heads": 3})" << ErrorKind::InvalidConfig << "num_attention_heads";
        QTest::addRow("llama kv not dividing") << "llama" << R"({"num_key_value_heads": 3})" << ErrorKind::InvalidConfig << "num_key_value_heads";
        QTest::addRow("llama zero kv") << "llama" << R"({"num_key_value_heads": 0})" << ErrorKind::InvalidConfig << "num_key_value_heads";
        QTest::addRow("llama yarn") << "llama" << R"({"rope_scaling": {"rope_type": "yarn", "factor": 4.0}})" << ErrorKind::Unsupported << "yarn";
        QTest::addRow("llama linear (old key)") << "llama" << R"({"rope_scaling": {"type": "linear", "factor": 2.0}})" << ErrorKind::Unsupported << "linear";
        QTest::addRow("llama3 bad factor") << "llama"
                                           << R"({"rope_scaling": {"rope_type": "llama3", "factor": -8, "low_freq_factor": 1, "high_freq_factor": 4, "original_max_position_embeddings": 8192}})"
                                           << ErrorKind::InvalidConfig << "factor";
        QTest::addRow("llama gelu") << "llama" << R"({"hidden_act": "gelu"})" << ErrorKind::Unsupported << "gelu";
        QTest::addRow("bad eos") << "llama" << R"({"eos_token_id": [1, "x"]})" << ErrorKind::InvalidConfig << "eos_token_id";
        QTest::addRow("qwen3 sliding window") << "qwen3" << R"({"use_sliding_window": true})" << ErrorKind::Unsupported << "sliding";
        QTest::addRow("qwen2 sliding layer") << "qwen2" << R"({"layer_types": ["full_attention", "sliding_attention"]})"
                                             << ErrorKind::Unsupported << "sliding";
        QTest::addRow("qwen3 odd head_dim") << "qwen3" << R"({"head_dim": 7})" << ErrorKind::InvalidConfig << "head_dim";
        QTest::addRow("qwen3 zero head_dim") << "qwen3" << R"({"head_dim": 0})" << ErrorKind::InvalidConfig << "head_dim";
        QTest::addRow("qwen3 gelu") << "qwen3" << R"({"hidden_act": "gelu"})" << ErrorKind::Unsupported << "qwen3";
    }

    void refusesBadConfigs()
    {
        QFETCH(QString, arch);
        QFETCH(QString, patch);
        QFETCH(lorsa::ErrorKind, kind);
        QFETCH(QString, mentions);
        test::TempDir dir;
        if (arch == QStringLiteral("gpt2"))
            test::writeTinyGpt2(dir.path());
        else if (arch == QStringLiteral("neox"))
            test::writeTinyNeox(dir.path());
        else {
            test::LlamaFixtureOptions o;
            o.modelType = arch.toStdString();
            test::writeTinyLlama(dir.path(), o);
        }
        auto config = readJson(dir / "config.json");
        config.merge_patch(nlohmann::json::parse(patch.toStdString()));
        writeJson(dir / "config.json", config);
        expectError([&] { loadModelConfig(dir.path()); }, kind, {"config.json", mentions.toStdString()});
        expectError([&] { Transformer::load(dir.path(), at::kCPU, at::kFloat); }, kind, {mentions.toStdString()});
    }

    void refusesBrokenFolders()
    {
        test::TempDir dir;
        expectError([&] { loadModelConfig(dir.path()); }, ErrorKind::InvalidFile, {"config.json"});
        test::writeFile(dir / "config.json", "{\"model_type\": \"gpt2\", ");
        expectError([&] { loadModelConfig(dir.path()); }, ErrorKind::InvalidFile, {"config.json", "JSON"});
        test::writeFile(dir / "config.json", "[1, 2]");
        expectError([&] { loadModelConfig(dir.path()); }, ErrorKind::InvalidFile, {"config.json"});

        test::writeTinyGpt2(dir / "m");
        std::filesystem::remove(dir / "m" / "model.safetensors");
        expectError([&] { Transformer::load(dir / "m", at::kCPU, at::kFloat); }, ErrorKind::InvalidFile,
                    {"model.safetensors"});
    }

    void refusesBadWeights_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("missing tensor") << "missing" << "missing tensor 'model.layers.1.mlp.up_proj.weight'";
        QTest::addRow("wrong shape") << "shape"
                                     << "tensor 'model.layers.0.self_attn.k_proj.weight' has shape [16,31], expected [16,32]";
        QTest::addRow("NaN weight") << "nan" << "model.layers.1.self_attn.o_proj.weight";
        QTest::addRow("Inf in norm") << "inf" << "model.norm.weight";
        QTest::addRow("integer weight") << "int" << "model.layers.0.input_layernorm.weight";
        QTest::addRow("qwen3 q_norm of the model's width") << "q_norm" << "tensor 'model.layers.1.self_attn.q_norm.weight' has shape [32], expected [8]";
        QTest::addRow("qwen3 missing k_norm") << "k_norm" << "missing tensor 'model.layers.0.self_attn.k_norm.weight'";
    }

    void refusesBadWeights()
    {
        QFETCH(QString, what);
        QFETCH(QString, mentions);
        test::TempDir dir;
        test::LlamaFixtureOptions o;
        o.modelType = "qwen3";  // the llama layout plus q/k norms
        test::writeTinyLlama(dir.path(), o);
        editWeights(dir.path(), [&](auto& tensors) {
            for (auto it = tensors.begin(); it != tensors.end(); ++it) {
                auto& [name, value] = *it;
                if ((what == QStringLiteral("missing") && name == "model.layers.1.mlp.up_proj.weight") ||
                    (what == QStringLiteral("k_norm") && name == "model.layers.0.self_attn.k_norm.weight")) {
                    tensors.erase(it);
                    return;
                }
                if (what == QStringLiteral("q_norm") && name == "model.layers.1.self_attn.q_norm.weight")
                    value = at::ones({32}, value.options());
                if (what == QStringLiteral("shape") && name == "model.layers.0.self_attn.k_proj.weight")
                    value = value.narrow(1, 0, 31).contiguous();
                if (what == QStringLiteral("nan") && name == "model.layers.1.self_attn.o_proj.weight")
                    value[3][5] = NAN;
                if (what == QStringLiteral("inf") && name == "model.norm.weight")
                    value[0] = INFINITY;
                if (what == QStringLiteral("int") && name == "model.layers.0.input_layernorm.weight")
                    value = value.to(at::kLong);
            }
        });
        expectError([&] { Transformer::load(dir.path(), at::kCPU, at::kFloat); }, ErrorKind::InvalidFile,
                    {"model.safetensors", mentions.toStdString()});
    }

    void refusesBadTokens()
    {
        test::TempDir dir;
        test::writeTinyGpt2(dir.path());
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        ActivationCache cache;
        expectError([&] { model->forward(at::zeros({1, 65}, at::kLong), cache, {}); }, ErrorKind::InvalidInput, {"65", "64"});
        expectError([&] { model->forward(at::full({1, 3}, 300, at::kLong), cache, {}); }, ErrorKind::InvalidInput, {"300"});
        expectError([&] { model->forward(at::full({2, 3}, -1, at::kLong), cache, {}); }, ErrorKind::InvalidInput, {"-1"});
        expectError([&] { model->forward(at::zeros({3}, at::kLong), cache, {}); }, ErrorKind::InvalidInput, {"tokens"});
        expectError([&] { model->forward(at::zeros({1, 3}, at::kFloat), cache, {}); }, ErrorKind::InvalidInput, {"integer"});
        expectError([&] { model->forward(at::zeros({1, 0}, at::kLong), cache, {}); }, ErrorKind::InvalidInput, {"no tokens"});
        QVERIFY(cache.empty());
        // The full context is fine.
        QCOMPARE(model->forward(at::full({1, 64}, 299, at::kLong), cache, {}).size(1), int64_t(64));
    }

    void refusesFloat16OnCpu()
    {
        test::TempDir dir;
        test::writeTinyGpt2(dir.path());
        expectError([&] { Transformer::load(dir.path(), at::kCPU, at::kHalf); }, ErrorKind::Device, {"float16"});
    }
};

QTEST_APPLESS_MAIN(TestTransformerErrors)
#include "test_transformer_errors.moc"
