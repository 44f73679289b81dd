// The checkpoint layouts current Language-Model-SAEs writes and loads (SparseDictionary.from_local,
// Lorsa.load_full_state_dict), each checked against the float64 reference on the equivalent
// canonical folder (sae_weights.safetensors with every QK head stored).

#include <torch/torch.h>

#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "model/lorsa/lorsa_layer.h"
#include "tests/model/io/zip_bytes.h"
#include "tests/model/lorsa/lorsa_reference.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace lorsa;
using lorsa::test::LorsaFixtureOptions;

namespace {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

constexpr double kTolerance = 1e-4;

NamedTensors readTensors(const std::filesystem::path& file)
{
    NamedTensors tensors;
    const auto source = openSafetensors(file);
    for (const auto& name : source->names())
        tensors.emplace_back(name, source->load(name).clone());
    return tensors;
}

at::Tensor& tensorNamed(NamedTensors& tensors, const std::string& name)
{
    for (auto& [key, value] : tensors)
        if (key == name)
            return value;
    throw std::runtime_error("no tensor " + name);
}

nlohmann::json readConfig(const std::filesystem::path& dir)
{
    std::ifstream in(dir / "config.json");
    return nlohmann::json::parse(in);
}

void writeConfig(const std::filesystem::path& dir, const nlohmann::json& config)
{
    test::writeFile(dir / "config.json", config.dump(2));
}

const std::vector<std::string> kQkTensors = {"W_Q", "W_K", "b_Q", "b_K", "ln_q.w", "ln_k.w"};

// A canonical fixture whose QK heads come in runs of \p repeat equal heads, so that a file storing
// one head per run describes the same Lorsa (upstream repeats stored heads with repeat_interleave).
NamedTensors writeRepeatedHeads(const std::filesystem::path& dir, const LorsaFixtureOptions& o, int64_t repeat)
{
    test::writeTinyLorsa(dir, o);
    auto tensors = readTensors(dir / "sae_weights.safetensors");
    for (const auto& name : kQkTensors)
        for (auto& [key, value] : tensors)
            if (key == name)
                value = value.index_select(0, at::arange(0, o.nQkHeads, repeat, at::kLong)).repeat_interleave(repeat, 0).contiguous();
    writeSafetensors(dir / "sae_weights.safetensors", tensors);
    return tensors;
}

// The same tensors with one QK head per run of \p repeat.
NamedTensors storedHeadsOnly(NamedTensors tensors, int64_t nQk, int64_t repeat)
{
    for (const auto& name : kQkTensors)
        for (auto& [key, value] : tensors)
            if (key == name)
                value = value.index_select(0, at::arange(0, nQk, repeat, at::kLong)).contiguous();
    return tensors;
}

LorsaFixtureOptions qwenLikeOptions()
{
    LorsaFixtureOptions o;
    o.nQkHeads = 4;
    o.nOvHeads = 16;
    o.postQkLn = true;
    o.rotaryAdjacentPairs = false;
    o.seed = 21;
    return o;
}

void expectMatchesReference(const std::filesystem::path& variant, const std::filesystem::path& canonical, const LorsaFixtureOptions& o)
{
    const auto layer = LorsaLayer::load(variant, at::kCPU, at::kFloat);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
    const auto x = at::normal(0.0, 1.0, {2, 11, o.dModel}, gen).to(at::kFloat);
    LorsaForwardOptions options;
    options.keepPatterns = true;
    const auto actual = layer->forward(x, options);
    const auto expected = test::referenceForward(canonical, o, x.to(at::kDouble));
    QVERIFY2(test::maxRelativeError(actual.pattern, expected.pattern) <= kTolerance, "pattern");
    QVERIFY2(test::maxRelativeError(actual.hiddenPre, expected.hiddenPre) <= kTolerance, "hidden_pre");
    QVERIFY2(test::maxRelativeError(actual.featureActs, expected.featureActs) <= kTolerance, "feature acts");
    QVERIFY2(test::maxRelativeError(actual.reconstructed, expected.reconstructed) <= kTolerance, "reconstruction");
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

// Upstream's rotary tables for rotate-half pairs of \p base: [n_ctx, rotary_dim].
std::pair<at::Tensor, at::Tensor> rotaryTables(int64_t nCtx, int64_t dim, double base)
{
    const auto freq = at::pow(base, at::arange(dim / 2, at::kDouble) / (static_cast<double>(dim) / 2)).repeat({2});
    const auto angles = at::arange(nCtx, at::kDouble).unsqueeze(1) / freq.unsqueeze(0);
    return {at::sin(angles).to(at::kFloat), at::cos(angles).to(at::kFloat)};
}

} // namespace

class TestLorsaLayouts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // checkpoints/final.safetensors storing one QK head per pair (and their post-QK norms).
    void fewerStoredQkHeadsAreRepeated_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("repeat");
        QTest::addRow("checkpoints/final, 2 of 4") << "checkpoints/final.safetensors" << 2;
        QTest::addRow("checkpoints/pruned, 1 of 4") << "checkpoints/pruned.safetensors" << 4;
        QTest::addRow("sae_weights, all 4") << "sae_weights.safetensors" << 1;
    }
    void fewerStoredQkHeadsAreRepeated()
    {
        QFETCH(QString, file);
        QFETCH(int, repeat);
        test::TempDir dir;
        const auto o = qwenLikeOptions();
        const auto tensors = writeRepeatedHeads(dir / "canonical", o, repeat);
        std::filesystem::create_directories(dir / "variant" / "checkpoints");
        std::filesystem::copy_file(dir / "canonical" / "config.json", dir / "variant" / "config.json");
        writeSafetensors(dir / "variant" / file.toStdString(), storedHeadsOnly(tensors, o.nQkHeads, repeat));
        QCOMPARE(loadLorsaConfig(dir / "variant").weightsFile, dir / "variant" / file.toStdString());
        expectMatchesReference(dir / "variant", dir / "canonical", o);
    }

    // A real torch.save of {"sae": state_dict, "version"} (tests/data/lorsa/gen_lms_pt.py): two of
    // four QK heads stored, post-QK RMS norm, dataset-wise norms, every buffer upstream saves.
    void readsTheTorchSaveLayout()
    {
        const std::filesystem::path data = qEnvironmentVariable("LORSA_TEST_DATA").toStdString();
        const auto stored = data / "lorsa" / "lms_pt";
        test::TempDir dir;
        std::filesystem::copy_file(stored / "config.json", dir / "config.json");
        std::filesystem::copy_file(stored / "canonical.safetensors", dir / "sae_weights.safetensors");
        LorsaFixtureOptions o;
        o.nQkHeads = 4;
        o.nOvHeads = 16;
        o.topK = 3;
        o.rotaryAdjacentPairs = false;
        o.postQkLn = true;
        o.datasetWise = true;
        QCOMPARE(loadLorsaConfig(stored).weightsFile, stored / "sae_weights.pt");
        expectMatchesReference(stored, dir.path(), o);
    }

    // Keys older config.json files lack take upstream's current defaults.
    void absentKeysTakeUpstreamDefaults()
    {
        test::TempDir dir;
        auto o = qwenLikeOptions();
        o.rotaryAdjacentPairs = true;  // upstream default
        o.actFn = "relu";              // upstream default
        test::writeTinyLorsa(dir.path(), o);
        auto config = readConfig(dir.path());
        for (const char* key : {"rotary_adjacent_pairs", "attn_scale", "act_fn", "top_k", "rotary_scale", "eps",
                                "use_NTK_by_parts_rope", "sparsity_include_decoder_norm", "use_decoder_bias"})
            config.erase(key);
        writeConfig(dir.path(), config);
        const auto parsed = loadLorsaConfig(dir.path());
        QVERIFY(parsed.rotaryAdjacentPairs);
        QCOMPARE(parsed.attnScale, 2.0);  // sqrt(d_qk_head 4)
        QCOMPARE(int(parsed.activation), int(LorsaActivation::Relu));
        QVERIFY(parsed.useDecoderBias);
        expectMatchesReference(dir.path(), dir.path(), o);
    }

    // Persistent buffers load over the computed tables upstream, so stored rotary tables decide.
    void storedRotaryTablesAreUsed()
    {
        test::TempDir dir;
        auto o = qwenLikeOptions();
        o.rotaryBase = 37.0;
        test::writeTinyLorsa(dir / "canonical", o);
        std::filesystem::create_directories(dir / "variant");
        auto config = readConfig(dir / "canonical");
        config["rotary_base"] = 10000.0;  // the tables below, not this, are what the checkpoint runs with
        writeConfig(dir / "variant", config);
        auto tensors = readTensors(dir / "canonical" / "sae_weights.safetensors");
        const auto [sin, cos] = rotaryTables(o.nCtx, o.rotaryDim, 37.0);
        tensors.emplace_back("rotary_sin", sin);
        tensors.emplace_back("rotary_cos", cos);
        writeSafetensors(dir / "variant" / "sae_weights.safetensors", tensors);
        expectMatchesReference(dir / "variant", dir / "canonical", o);

        tensorNamed(tensors, "rotary_cos") = cos.narrow(1, 0, 2).contiguous();
        writeSafetensors(dir / "variant" / "sae_weights.safetensors", tensors);
        expectError([&] { LorsaLayer::load(dir / "variant", at::kCPU, at::kFloat); }, ErrorKind::InvalidFile,
                    {"rotary_cos", "[64,2]", "[64,4]"});
    }

    void refusesQkHeadsNotAMultipleOfTheStoredOnes()
    {
        test::TempDir dir;
        const auto o = qwenLikeOptions();
        auto tensors = writeRepeatedHeads(dir.path(), o, 1);
        for (const auto& name : kQkTensors)
            tensorNamed(tensors, name) = tensorNamed(tensors, name).narrow(0, 0, 3).contiguous();
        writeSafetensors(dir / "sae_weights.safetensors", tensors);
        expectError([&] { LorsaLayer::load(dir.path(), at::kCPU, at::kFloat); }, ErrorKind::InvalidFile,
                    {"sae_weights.safetensors", "W_Q", "stores 3 QK heads", "n_qk_heads", "(4)"});
    }

    void refusesDistributedCheckpoints()
    {
        test::TempDir dir;
        test::writeTinyLorsa(dir.path(), qwenLikeOptions());
        std::filesystem::remove(dir / "sae_weights.safetensors");
        std::filesystem::create_directories(dir / "checkpoints" / "final.dcp");
        test::writeFile(dir / "checkpoints" / "final.dcp" / ".metadata", "not read");
        expectError([&] { loadLorsaConfig(dir.path()); }, ErrorKind::Unsupported, {"final.dcp", "dcp_to_torch"});
    }

    // A .pt whose pickle reaches for any global beyond the state-dict types runs nothing.
    void refusesHostilePickles()
    {
        test::TempDir dir;
        test::writeTinyLorsa(dir.path(), qwenLikeOptions());
        std::filesystem::remove(dir / "sae_weights.safetensors");
        // {"sae": os.system("true")}: GLOBAL os system, then a call.
        using namespace std::string_literals;  // the opcodes hold NUL bytes
        const std::string pickle = "\x80\x02}"s + "q\x00"s + test::pickleString("sae") + "q\x01"s + "cos\nsystem\n"s +
                                   test::pickleString("true") + "\x85R"s + "s."s;
        test::writeFile(dir / "sae_weights.pt", test::zipBytes({{"archive/data.pkl", pickle}, {"archive/version", "3\n"}}));
        expectError([&] { LorsaLayer::load(dir.path(), at::kCPU, at::kFloat); }, ErrorKind::InvalidFile,
                    {"sae_weights.pt", "os"});
    }
};

QTEST_APPLESS_MAIN(TestLorsaLayouts)
#include "test_lorsa_layouts.moc"
