#include <torch/torch.h>

#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "model/lorsa/lorsa_layer.h"
#include "tests/model/lorsa/lorsa_reference.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

#include <numeric>

using namespace lorsa;
using lorsa::test::LorsaFixtureOptions;

Q_DECLARE_METATYPE(lorsa::test::LorsaFixtureOptions)

namespace {

constexpr double kTolerance = 1e-4;

at::Tensor randomInput(int64_t batch, int64_t t, int64_t d, uint64_t seed, double scale = 1.0)
{
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    return at::normal(0.0, scale, {batch, t, d}, gen).to(at::kFloat);
}

std::unique_ptr<LorsaLayer> loadFixture(const test::TempDir& dir, const LorsaFixtureOptions& o)
{
    test::writeTinyLorsa(dir.path(), o);
    return LorsaLayer::load(dir.path(), at::kCPU, at::kFloat);
}

} // namespace

class TestLorsaLayer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesFloat64Reference_data()
    {
        QTest::addColumn<LorsaFixtureOptions>("options");
        LorsaFixtureOptions base;
        QTest::addRow("topk, decoder norm") << base;
        auto o = base;
        o.sparsityIncludeDecoderNorm = false;
        QTest::addRow("topk, no decoder norm") << o;
        o = base;
        o.actFn = "jumprelu";
        QTest::addRow("jumprelu, decoder norm") << o;
        o.sparsityIncludeDecoderNorm = false;
        QTest::addRow("jumprelu, no decoder norm") << o;
        o = base;
        o.actFn = "relu";
        QTest::addRow("relu") << o;
        o = base;
        o.datasetWise = true;
        QTest::addRow("topk, dataset-wise") << o;
        o.actFn = "jumprelu";
        QTest::addRow("jumprelu, dataset-wise") << o;
        o = base;
        o.rotaryAdjacentPairs = false;
        o.dQkHead = 6;
        QTest::addRow("rotary NeoX halves, partial") << o;
        o = base;
        o.rotaryDim = 8;
        o.dQkHead = 8;
        o.ntkByParts = true;
        o.rotaryBase = 500000;
        QTest::addRow("NTK-by-parts") << o;
        o = base;
        o.postQkLn = true;
        QTest::addRow("post-QK RMS norm") << o;
        o = base;
        o.decoderBias = false;
        QTest::addRow("no decoder bias") << o;
        o = base;
        o.rotary = false;
        o.attnScale = 3.0;
        QTest::addRow("no rotary, explicit attn_scale") << o;
        o = base;
        o.nQkHeads = 8;
        o.topK = 1;
        QTest::addRow("one OV head per QK head, k=1") << o;
        o = base;
        o.nQkHeads = 1;
        o.nOvHeads = 24;
        o.topK = 24;
        o.dModel = 12;
        QTest::addRow("one QK head, k=n_ov") << o;
        // Under 1/64 of the heads active: the decoder reads only the active heads' W_O rows.
        o = base;
        o.nOvHeads = 192;
        o.topK = 2;
        QTest::addRow("sparse decoder, topk 2 of 192") << o;
        o.actFn = "jumprelu";
        o.jumpReluThreshold = 3;
        QTest::addRow("sparse decoder, jumprelu over 192") << o;
    }

    void matchesFloat64Reference()
    {
        QFETCH(LorsaFixtureOptions, options);
        test::TempDir dir;
        const auto layer = loadFixture(dir, options);
        const auto x = randomInput(2, 9, options.dModel, 7, options.datasetWise ? options.normIn / 4 : 1.0);
        LorsaForwardOptions forwardOptions;
        forwardOptions.keepPatterns = true;
        const auto out = layer->forward(x, forwardOptions);
        const auto ref = test::referenceForward(dir.path(), options, x);

        QCOMPARE(out.hiddenPre.sizes().vec(), std::vector<int64_t>({2, 9, options.nOvHeads}));
        QCOMPARE(out.pattern.sizes().vec(), std::vector<int64_t>({2, options.nQkHeads, 9, 9}));
        QVERIFY2(test::maxRelativeError(out.pattern, ref.pattern) <= kTolerance, "pattern");
        QVERIFY2(test::maxRelativeError(out.hiddenPre, ref.hiddenPre) <= kTolerance, "hidden_pre");
        QVERIFY2(test::maxRelativeError(out.featureActs, ref.featureActs) <= kTolerance, "feature acts");
        QVERIFY2(test::maxRelativeError(out.reconstructed, ref.reconstructed) <= kTolerance, "reconstruction");
        // The same units fire: a sparse pattern that differs only in which heads survive would
        // still pass a loose norm check, so compare the supports exactly.
        QVERIFY(at::equal(out.featureActs.ne(0), ref.featureActs.ne(0)));
        if (options.actFn == "topk")
            QVERIFY(out.featureActs.ne(0).sum(-1).le(options.topK).all().item<bool>());
        if (QByteArray(QTest::currentDataTag()).startsWith("sparse decoder")) {
            const int64_t active = out.featureActs.ne(0).sum().item<int64_t>();
            QVERIFY2(active > 0 && active * 64 <= out.featureActs.numel(), "the row exercises the sparse decoder");
        }

        std::vector<int64_t> all(static_cast<size_t>(options.nQkHeads));
        std::iota(all.begin(), all.end(), 0);
        QVERIFY(test::maxRelativeError(layer->patterns(x, all), ref.pattern) <= kTolerance);
        std::vector<int64_t> ov(static_cast<size_t>(options.nOvHeads));
        std::iota(ov.begin(), ov.end(), 0);
        const auto z = layer->zPatterns(x, ov);
        QVERIFY(test::maxRelativeError(z, ref.zPatterns) <= kTolerance);
        QVERIFY(test::maxRelativeError(z.sum(-1).permute({0, 2, 1}), out.hiddenPre) <= 1e-5);

        // Effective weights are in model units.
        const auto w = test::readAllDouble(dir / "sae_weights.safetensors");
        const double root = std::sqrt(static_cast<double>(options.dModel));
        const double fIn = options.datasetWise ? root / options.normIn : 1.0;
        const double fOut = options.datasetWise ? root / options.normOut : 1.0;
        QVERIFY(test::maxRelativeError(layer->valueWeights(), w.at("W_V") * fIn) <= 1e-6);
        QVERIFY(test::maxRelativeError(layer->outputWeights(), w.at("W_O") / fOut) <= 1e-6);
    }

    void everyDecoderGivesTheSameReconstruction_data()
    {
        QTest::addColumn<LorsaFixtureOptions>("options");
        QTest::addColumn<int>("dtype");
        LorsaFixtureOptions o;
        o.nOvHeads = 192;
        o.topK = 2;
        QTest::addRow("topk, float32") << o << static_cast<int>(at::kFloat);
        QTest::addRow("topk, bfloat16") << o << static_cast<int>(at::kBFloat16);
        o.actFn = "jumprelu";
        o.jumpReluThreshold = 3;
        QTest::addRow("jumprelu, float32") << o << static_cast<int>(at::kFloat);
        o = LorsaFixtureOptions();
        QTest::addRow("topk 3 of 8 (dense when automatic)") << o << static_cast<int>(at::kFloat);
    }
    void everyDecoderGivesTheSameReconstruction()
    {
        QFETCH(LorsaFixtureOptions, options);
        QFETCH(int, dtype);
        test::TempDir dir;
        test::writeTinyLorsa(dir.path(), options);
        const auto layer = LorsaLayer::load(dir.path(), at::kCPU, static_cast<at::ScalarType>(dtype));
        const auto x = randomInput(2, 9, options.dModel, 3);
        LorsaForwardOptions forced;
        const auto automatic = layer->forward(x, forced);
        const auto weights = test::readAllDouble(dir / "sae_weights.safetensors");
        const auto exact = at::matmul(automatic.featureActs.to(at::kDouble), weights.at("W_O")) + weights.at("b_D");
        const double tolerance = dtype == static_cast<int>(at::kBFloat16) ? 1e-2 : 1e-5;
        QVERIFY(test::maxRelativeError(automatic.reconstructed, exact) <= tolerance);
        for (const auto decoder : {LorsaDecoder::Dense, LorsaDecoder::ActiveHeads}) {
            forced.decoder = decoder;
            const auto out = layer->forward(x, forced);
            QVERIFY(at::equal(out.featureActs, automatic.featureActs));
            QVERIFY2(test::maxRelativeError(out.reconstructed, exact) <= tolerance, decoder == LorsaDecoder::Dense ? "dense" : "active heads");
        }
    }

    void chunkedEqualsUnchunked_data()
    {
        QTest::addColumn<LorsaFixtureOptions>("options");
        LorsaFixtureOptions o;
        o.nQkHeads = 4;
        QTest::addRow("topk") << o;
        o.postQkLn = true;
        o.actFn = "jumprelu";
        QTest::addRow("jumprelu, post-QK norm") << o;
    }

    void chunkedEqualsUnchunked()
    {
        QFETCH(LorsaFixtureOptions, options);
        test::TempDir dir;
        const auto layer = loadFixture(dir, options);
        const auto x = randomInput(2, 13, options.dModel, 3);
        LorsaForwardOptions whole;
        whole.keepPatterns = true;
        LorsaForwardOptions tiny = whole;
        tiny.chunkBytes = 1;  // one QK head per chunk
        int polls = 0;
        tiny.cancelled = [&] { return ++polls < 0; };
        const auto a = layer->forward(x, whole);
        const auto b = layer->forward(x, tiny);
        QCOMPARE(polls, static_cast<int>(options.nQkHeads));
        QVERIFY(test::maxRelativeError(b.pattern, a.pattern) <= 1e-6);
        QVERIFY(test::maxRelativeError(b.hiddenPre, a.hiddenPre) <= 1e-6);
        QVERIFY(test::maxRelativeError(b.featureActs, a.featureActs) <= 1e-6);
        QVERIFY(test::maxRelativeError(b.reconstructed, a.reconstructed) <= 1e-6);
        QVERIFY(!layer->forward(x).pattern.defined());
    }

    void batchEqualsSingles()
    {
        test::TempDir dir;
        LorsaFixtureOptions o;
        o.datasetWise = true;
        const auto layer = loadFixture(dir, o);
        const auto x = randomInput(2, 11, o.dModel, 5);
        const auto both = layer->forward(x);
        for (int64_t b = 0; b < 2; ++b) {
            const auto one = layer->forward(x.narrow(0, b, 1));
            QVERIFY(test::maxRelativeError(one.hiddenPre, both.hiddenPre.narrow(0, b, 1)) <= 1e-6);
            QVERIFY(test::maxRelativeError(one.reconstructed, both.reconstructed.narrow(0, b, 1)) <= 1e-6);
        }
    }

    void originalRelease_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addRow("use_z_relu, NeoX rotary") << static_cast<int>(test::OriginalLorsaVariant::ZRelu);
        QTest::addRow("rank |z|, no rotary") << static_cast<int>(test::OriginalLorsaVariant::Absolute);
    }

    void originalRelease()
    {
        QFETCH(int, variant);
        const auto which = static_cast<test::OriginalLorsaVariant>(variant);
        test::TempDir dir;
        test::writeTinyOriginalLorsa(dir.path(), which);
        const auto layer = LorsaLayer::load(dir.path(), at::kCPU, at::kFloat);
        QCOMPARE(layer->config().format, LorsaFormat::OriginalRelease);
        QCOMPARE(layer->config().rankByAbsolute, which == test::OriginalLorsaVariant::Absolute);
        // Expected values were computed by PyTorch from the release's own forward.
        const auto ref = test::readAllDouble(test::originalLorsaDataDir(which) / "reference.safetensors");
        LorsaForwardOptions options;
        options.keepPatterns = true;
        const auto out = layer->forward(ref.at("x").to(at::kFloat), options);
        const int64_t group = layer->config().nOvHeads / layer->config().nQkHeads;
        QVERIFY(test::maxRelativeError(out.pattern.repeat_interleave(group, 1), ref.at("pattern")) <= kTolerance);
        QVERIFY(test::maxRelativeError(out.hiddenPre, ref.at("z")) <= kTolerance);
        QVERIFY(test::maxRelativeError(out.featureActs, ref.at("acts")) <= kTolerance);
        QVERIFY(at::equal(out.featureActs.ne(0), ref.at("acts").ne(0)));
        QVERIFY(test::maxRelativeError(out.reconstructed, ref.at("out")) <= kTolerance);
        if (which == test::OriginalLorsaVariant::Absolute)
            QVERIFY(out.featureActs.lt(0).any().item<bool>());  // |z| ranking keeps negative z
    }

    void bfloat16RunsCloseToFloat32()
    {
        test::TempDir dir;
        LorsaFixtureOptions o;
        o.actFn = "relu";
        test::writeTinyLorsa(dir.path(), o);
        const auto f32 = LorsaLayer::load(dir.path(), at::kCPU, at::kFloat);
        const auto bf16 = LorsaLayer::load(dir.path(), at::kCPU, at::kBFloat16);
        const auto x = randomInput(1, 8, o.dModel, 9);
        LorsaForwardOptions options;
        options.keepPatterns = true;
        const auto a = f32->forward(x, options);
        const auto b = bf16->forward(x, options);
        QCOMPARE(b.hiddenPre.scalar_type(), at::kBFloat16);
        QVERIFY(test::maxRelativeError(b.pattern, a.pattern) <= 6e-2);
        QVERIFY(test::maxRelativeError(b.hiddenPre, a.hiddenPre) <= 6e-2);
    }

    void invalidRequests()
    {
        test::TempDir dir;
        LorsaFixtureOptions o;
        o.nCtx = 8;
        const auto layer = loadFixture(dir, o);
        const auto expectKind = [](ErrorKind kind, const std::function<void()>& call) {
            try {
                call();
            } catch (const Error& e) {
                return e.kind() == kind;
            }
            return false;
        };
        QVERIFY(expectKind(ErrorKind::InvalidInput, [&] { layer->forward(randomInput(1, 9, o.dModel, 1)); }));
        QVERIFY(expectKind(ErrorKind::InvalidInput, [&] { layer->forward(randomInput(1, 4, o.dModel + 1, 1)); }));
        QVERIFY(expectKind(ErrorKind::InvalidInput, [&] { layer->forward(at::zeros({4, o.dModel})); }));
        QVERIFY(expectKind(ErrorKind::InvalidInput, [&] { layer->forward(at::zeros({1, 0, o.dModel})); }));
        auto nan = randomInput(1, 4, o.dModel, 1);
        nan[0][2][3] = NAN;
        QVERIFY(expectKind(ErrorKind::InvalidInput, [&] { layer->forward(nan); }));
        LorsaForwardOptions straightforward;
        straightforward.straightforward = true;
        QVERIFY(expectKind(ErrorKind::InvalidInput, [&] { layer->forward(nan, straightforward); }));
        // A refused input leaves the key/value cache as it was.
        LorsaKeyValueCache cache;
        LorsaForwardOptions cached;
        cached.keyValues = &cache;
        layer->forward(randomInput(1, 3, o.dModel, 2), cached);
        auto inf = randomInput(1, 2, o.dModel, 1);
        inf[0][1][0] = INFINITY;
        QVERIFY(expectKind(ErrorKind::InvalidInput, [&] { layer->forward(inf, cached); }));
        QCOMPARE(cache.length, int64_t(3));
        QCOMPARE(cache.keys.size(2), int64_t(3));
        QVERIFY(expectKind(ErrorKind::InvalidInput, [&] { layer->patterns(randomInput(1, 4, o.dModel, 1), {2}); }));
        QVERIFY(expectKind(ErrorKind::InvalidInput, [&] { layer->zPatterns(randomInput(1, 4, o.dModel, 1), {-1}); }));
        QVERIFY(expectKind(ErrorKind::InvalidInput, [&] { layer->qkHeadOf(8); }));
        QCOMPARE(layer->qkHeadOf(3), int64_t(0));
        QCOMPARE(layer->qkHeadOf(4), int64_t(1));
        LorsaForwardOptions cancelled;
        cancelled.cancelled = [] { return true; };
        QVERIFY(expectKind(ErrorKind::Cancelled, [&] { layer->forward(randomInput(1, 4, o.dModel, 1), cancelled); }));
        // W_Q, W_K (2x16x4 each), b_Q, b_K (2x4 each), W_V, W_O (8x16 each), b_V (8), b_D (16).
        QCOMPARE(layer->parameterCount(), int64_t(2 * 128 + 2 * 8 + 2 * 128 + 8 + 16));
    }
};

QTEST_APPLESS_MAIN(TestLorsaLayer)
#include "test_lorsa_layer.moc"
