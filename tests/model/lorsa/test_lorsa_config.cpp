#include <torch/torch.h>

#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "model/lorsa/lorsa_config.h"
#include "model/lorsa/lorsa_layer.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/temp_dir.h"

#include <nlohmann/json.hpp>

#include <QtTest>

using namespace lorsa;

namespace {

nlohmann::json readConfig(const std::filesystem::path& dir)
{
    return nlohmann::json::parse(test::readFile(dir / "config.json"));
}

void writeConfig(const std::filesystem::path& dir, const nlohmann::json& json)
{
    test::writeFile(dir / "config.json", json.dump());
}

// Rewrites the fixture's weights with \p edit applied to the name -> tensor list.
void editWeights(const std::filesystem::path& dir, const std::function<void(std::map<std::string, at::Tensor>&)>& edit)
{
    const auto file = dir / "sae_weights.safetensors";
    std::map<std::string, at::Tensor> tensors;
    {
        auto source = openSafetensors(file);
        for (const auto& name : source->names())
            tensors[name] = source->load(name).clone();
    }
    edit(tensors);
    writeSafetensors(file, {tensors.begin(), tensors.end()});
}

// Runs \p call and returns the Error it throws (kind, message); fails the test if none.
std::optional<Error> errorOf(const std::function<void()>& call)
{
    try {
        call();
    } catch (const Error& e) {
        return e;
    }
    return std::nullopt;
}

} // namespace

class TestLorsaConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsLanguageModelSaesConfig()
    {
        test::TempDir dir;
        test::LorsaFixtureOptions o;
        o.layer = 5;
        o.nOvHeads = 24;
        o.dModel = 12;  // expansion_factor 2
        o.nQkHeads = 3;
        test::writeTinyLorsa(dir.path(), o);
        const auto c = loadLorsaConfig(dir.path());
        QCOMPARE(c.format, LorsaFormat::LanguageModelSaes);
        QCOMPARE(c.nOvHeads, int64_t(24));
        QCOMPARE(c.nQkHeads, int64_t(3));
        QCOMPARE(c.layer, int64_t(5));
        QCOMPARE(c.hookPointIn, std::string("blocks.5.ln1.hook_normalized"));
        QCOMPARE(c.attnScale, 2.0);  // sqrt(d_qk_head = 4)
        QCOMPARE(c.activation, LorsaActivation::TopK);
        QCOMPARE(c.topK, int64_t(3));
        QVERIFY(c.rotary);
        QCOMPARE(c.weightsFile, dir / "sae_weights.safetensors");

        // An explicit d_sae wins over expansion_factor; weights may live in checkpoints/.
        auto json = readConfig(dir.path());
        json["d_sae"] = 24;
        json["expansion_factor"] = 100;
        writeConfig(dir.path(), json);
        std::filesystem::create_directories(dir / "checkpoints");
        std::filesystem::rename(dir / "sae_weights.safetensors", dir / "checkpoints" / "final.safetensors");
        const auto moved = loadLorsaConfig(dir.path());
        QCOMPARE(moved.nOvHeads, int64_t(24));
        QCOMPARE(moved.weightsFile, dir / "checkpoints" / "final.safetensors");
        QVERIFY(LorsaLayer::load(dir.path(), at::kCPU, at::kFloat) != nullptr);
    }

    void datasetNormsComeFromWeights()
    {
        test::TempDir dir;
        test::LorsaFixtureOptions o;
        o.datasetWise = true;
        test::writeTinyLorsa(dir.path(), o);
        const auto layer = LorsaLayer::load(dir.path(), at::kCPU, at::kFloat);
        QCOMPARE(*layer->config().averageNormIn, 3.0);
        QCOMPARE(*layer->config().averageNormOut, 2.0);
    }

    void readsOriginalReleaseConfig()
    {
        test::TempDir dir;
        test::writeTinyOriginalLorsa(dir.path(), test::OriginalLorsaVariant::ZRelu);
        const auto c = loadLorsaConfig(dir.path());
        QCOMPARE(c.format, LorsaFormat::OriginalRelease);
        QCOMPARE(c.nOvHeads, int64_t(8));
        QCOMPARE(c.layer, int64_t(1));
        QCOMPARE(c.hookPointOut, std::string("blocks.1.hook_attn_out"));
        QVERIFY(!c.rankByAbsolute);
        QVERIFY(!c.rotaryAdjacentPairs);
        QCOMPARE(*c.averageNormIn, 3.5);
        QCOMPARE(c.weightsFile, dir / "final.pth");
        QVERIFY(qFuzzyCompare(c.attnScale, std::sqrt(8.0)));
    }

    void hostileConfigs_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");  // JSON text; "<delete>" removes the key
        QTest::addColumn<int>("kind");
        const int config = static_cast<int>(ErrorKind::InvalidConfig);
        QTest::addRow("zero d_model") << "d_model" << "0" << config;
        QTest::addRow("negative n_qk_heads") << "n_qk_heads" << "-2" << config;
        QTest::addRow("zero d_qk_head") << "d_qk_head" << "0" << config;
        QTest::addRow("zero expansion") << "expansion_factor" << "0" << config;
        QTest::addRow("n_ov not divisible by n_qk") << "n_qk_heads" << "3" << config;
        QTest::addRow("unknown act_fn") << "act_fn" << "\"gelu\"" << config;
        QTest::addRow("top_k zero") << "top_k" << "0" << config;
        QTest::addRow("top_k above n_ov") << "top_k" << "9" << config;
        QTest::addRow("odd rotary_dim") << "rotary_dim" << "3" << config;
        QTest::addRow("rotary_dim above d_qk") << "rotary_dim" << "6" << config;
        QTest::addRow("hook layer mismatch") << "hook_point_out" << "\"blocks.3.hook_attn_out\"" << config;
        QTest::addRow("hook without layer") << "hook_point_in" << "\"ln_final.hook_normalized\"" << config;
        QTest::addRow("zero n_ctx") << "n_ctx" << "0" << config;
        QTest::addRow("string for integer") << "d_model" << "\"16\"" << config;
        QTest::addRow("fractional integer") << "n_qk_heads" << "1.5" << config;
        QTest::addRow("missing n_qk_heads") << "n_qk_heads" << "<delete>" << config;
        QTest::addRow("unknown norm_activation") << "norm_activation" << "\"token-wise\"" << config;
        QTest::addRow("unknown positional type") << "positional_embedding_type" << "\"alibi\"" << config;
        QTest::addRow("LN post-QK norm") << "use_post_qk_ln" << "true" << config;
        QTest::addRow("not a Lorsa") << "sae_type" << "\"sae\"" << static_cast<int>(ErrorKind::Unsupported);
    }

    void hostileConfigs()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(int, kind);
        test::TempDir dir;
        test::writeTinyLorsa(dir.path());
        auto json = readConfig(dir.path());
        if (value == QStringLiteral("<delete>"))
            json.erase(key.toStdString());
        else
            json[key.toStdString()] = nlohmann::json::parse(value.toStdString());
        writeConfig(dir.path(), json);
        const auto error = errorOf([&] { LorsaLayer::load(dir.path(), at::kCPU, at::kFloat); });
        QVERIFY(error.has_value());
        QCOMPARE(static_cast<int>(error->kind()), kind);
        const std::string message = error->what();
        QVERIFY2(message.find("config.json") != std::string::npos, message.c_str());
        if (kind == static_cast<int>(ErrorKind::InvalidConfig) && key != QStringLiteral("n_qk_heads"))
            QVERIFY2(message.find(key.toStdString()) != std::string::npos, message.c_str());
    }

    void brokenFiles()
    {
        test::TempDir dir;
        QVERIFY(errorOf([&] { loadLorsaConfig(dir.path()); })->kind() == ErrorKind::InvalidFile);
        test::writeFile(dir / "config.json", "{\"sae_type\": \"lorsa\", ");
        QVERIFY(errorOf([&] { loadLorsaConfig(dir.path()); })->kind() == ErrorKind::InvalidFile);
        test::writeFile(dir / "config.json", "[1,2]");
        QVERIFY(errorOf([&] { loadLorsaConfig(dir.path()); })->kind() == ErrorKind::InvalidFile);
        test::writeTinyLorsa(dir.path());
        std::filesystem::remove(dir / "sae_weights.safetensors");
        const auto missing = errorOf([&] { loadLorsaConfig(dir.path()); });
        QCOMPARE(missing->kind(), ErrorKind::InvalidFile);
        QVERIFY(std::string(missing->what()).find("sae_weights.safetensors") != std::string::npos);
    }

    void hostileWeights_data()
    {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("wrong shape") << "shape" << "'W_V' has shape [8,17], expected [8,16]";
        QTest::addRow("NaN weight") << "nan" << "'W_O' contains NaN";
        QTest::addRow("Inf bias") << "inf" << "'b_Q' contains NaN or Inf";
        QTest::addRow("missing decoder bias") << "no b_D" << "missing tensor 'b_D'";
        QTest::addRow("integer dtype") << "int" << "'W_K' has dtype I64";
        QTest::addRow("missing jumprelu threshold") << "no threshold" << "activation_function.log_jumprelu_threshold";
        QTest::addRow("dataset-wise without norms") << "no norms" << "dataset_average_activation_norm.blocks.0.ln1.hook_normalized";
        QTest::addRow("negative dataset norm") << "negative norm" << "must be a positive finite number";
        QTest::addRow("truncated file") << "truncated" << "sae_weights.safetensors";
    }

    void hostileWeights()
    {
        QFETCH(QString, problem);
        QFETCH(QString, mentions);
        test::TempDir dir;
        test::LorsaFixtureOptions o;
        if (problem == QStringLiteral("no threshold"))
            o.actFn = "jumprelu";
        if (problem == QStringLiteral("no norms") || problem == QStringLiteral("negative norm"))
            o.datasetWise = true;
        test::writeTinyLorsa(dir.path(), o);
        editWeights(dir.path(), [&](std::map<std::string, at::Tensor>& t) {
            if (problem == QStringLiteral("shape"))
                t["W_V"] = at::zeros({8, 17});
            else if (problem == QStringLiteral("nan"))
                t["W_O"][3][4] = NAN;
            else if (problem == QStringLiteral("inf"))
                t["b_Q"][1][0] = INFINITY;
            else if (problem == QStringLiteral("no b_D"))
                t.erase("b_D");
            else if (problem == QStringLiteral("int"))
                t["W_K"] = t["W_K"].to(at::kLong);
            else if (problem == QStringLiteral("no threshold"))
                t.erase("activation_function.log_jumprelu_threshold");
            else if (problem == QStringLiteral("no norms"))
                t.erase("dataset_average_activation_norm.blocks.0.ln1.hook_normalized");
            else if (problem == QStringLiteral("negative norm"))
                t["dataset_average_activation_norm.blocks.0.hook_attn_out"] = at::full({}, -1.0);
        });
        if (problem == QStringLiteral("truncated")) {
            const auto bytes = test::readFile(dir / "sae_weights.safetensors");
            test::writeFile(dir / "sae_weights.safetensors", bytes.substr(0, bytes.size() / 2));
        }
        const auto error = errorOf([&] { LorsaLayer::load(dir.path(), at::kCPU, at::kFloat); });
        QVERIFY(error.has_value());
        const std::string message = error->what();
        QVERIFY2(message.find(mentions.toStdString()) != std::string::npos, message.c_str());
        QVERIFY2(message.find("sae_weights.safetensors") != std::string::npos, message.c_str());
    }
};

QTEST_APPLESS_MAIN(TestLorsaConfig)
#include "test_lorsa_config.moc"
