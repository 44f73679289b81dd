// A Lorsa forward that continues cached positions (LorsaKeyValueCache) gives what one forward
// over the whole sequence gives, for every rotary, norm and activation variant.
#include <torch/torch.h>

#include "model/core/error.h"
#include "model/lorsa/lorsa_layer.h"
#include "tests/model/lorsa/lorsa_reference.h"
#include "tests/support/checks.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

using namespace lorsa;
using lorsa::test::LorsaFixtureOptions;
using lorsa::test::throwsErrorKind;

Q_DECLARE_METATYPE(lorsa::test::LorsaFixtureOptions)

namespace {

constexpr double kTolerance = 1e-5;

at::Tensor randomInput(int64_t batch, int64_t t, int64_t d, uint64_t seed)
{
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    return at::normal(0.0, 1.0, {batch, t, d}, gen).to(at::kFloat);
}

/// The whole forward's rows [first, first+n) of every output against one continued piece.
void compareRows(const LorsaOutput& whole, const LorsaOutput& piece, int64_t first, int64_t n)
{
    QVERIFY(test::maxRelativeError(piece.hiddenPre, whole.hiddenPre.narrow(1, first, n)) <= kTolerance);
    QVERIFY(test::maxRelativeError(piece.featureActs, whole.featureActs.narrow(1, first, n)) <= kTolerance);
    QVERIFY(at::equal(piece.featureActs.ne(0), whole.featureActs.narrow(1, first, n).ne(0)));
    QVERIFY(test::maxRelativeError(piece.reconstructed, whole.reconstructed.narrow(1, first, n)) <= kTolerance);
    // Pattern rows cover the keys up to the piece's end; later keys are in the future.
    const int64_t keys = first + n;
    QCOMPARE(piece.pattern.sizes().vec(), (std::vector<int64_t>{whole.pattern.size(0), whole.pattern.size(1), n, keys}));
    QVERIFY(test::maxRelativeError(piece.pattern, whole.pattern.narrow(2, first, n).narrow(3, 0, keys)) <= kTolerance);
}

} // namespace

class TestLorsaContinuation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void continuationEqualsOneForward_data()
    {
        QTest::addColumn<LorsaFixtureOptions>("options");
        LorsaFixtureOptions base;
        base.nQkHeads = 4;
        base.nOvHeads = 16;
        QTest::addRow("topk, rotary adjacent pairs") << base;
        auto o = base;
        o.rotaryAdjacentPairs = false;
        o.dQkHead = 6;
        o.ntkByParts = true;
        o.rotaryBase = 500000;
        QTest::addRow("NeoX halves, partial, NTK-by-parts") << o;
        o = base;
        o.rotary = false;
        o.postQkLn = true;
        o.actFn = "jumprelu";
        QTest::addRow("no rotary, post-QK norm, jumprelu") << o;
        o = base;
        o.datasetWise = true;
        o.actFn = "relu";
        QTest::addRow("dataset-wise, relu") << o;
    }

    void continuationEqualsOneForward()
    {
        QFETCH(LorsaFixtureOptions, options);
        test::TempDir dir;
        test::writeTinyLorsa(dir.path(), options);
        const auto layer = LorsaLayer::load(dir.path(), at::kCPU, at::kFloat);
        const auto x = randomInput(2, 21, options.dModel, 4);
        LorsaForwardOptions keep;
        keep.keepPatterns = true;
        const auto whole = layer->forward(x, keep);

        LorsaKeyValueCache cache;
        keep.keyValues = &cache;
        int64_t first = 0;
        for (const int64_t n : {6, 1, 1, 9, 4}) {
            const auto piece = layer->forward(x.narrow(1, first, n), keep);
            compareRows(whole, piece, first, n);
            first += n;
            QCOMPARE(cache.length, first);
        }
        QCOMPARE(first, x.size(1));
        // One QK head per chunk continues the same way.
        LorsaKeyValueCache chunked;
        LorsaForwardOptions tiny = keep;
        tiny.keyValues = &chunked;
        tiny.chunkBytes = 1;
        layer->forward(x.narrow(1, 0, 10), tiny);
        compareRows(whole, layer->forward(x.narrow(1, 10, 11), tiny), 10, 11);
    }

    void truncatedCacheContinuesAnotherSequence()
    {
        test::TempDir dir;
        LorsaFixtureOptions o;
        test::writeTinyLorsa(dir.path(), o);
        const auto layer = LorsaLayer::load(dir.path(), at::kCPU, at::kFloat);
        const auto a = randomInput(1, 12, o.dModel, 1);
        const auto b = randomInput(1, 7, o.dModel, 2);
        LorsaKeyValueCache cache;
        LorsaForwardOptions options;
        options.keepPatterns = true;
        options.keyValues = &cache;
        layer->forward(a, options);
        cache.truncate(5);
        QCOMPARE(cache.length, int64_t(5));
        const auto continued = layer->forward(b, options);
        LorsaForwardOptions keep;
        keep.keepPatterns = true;
        const auto whole = layer->forward(at::cat({a.narrow(1, 0, 5), b}, 1), keep);
        compareRows(whole, continued, 5, 7);
        cache.truncate(40);  // holds fewer: nothing to forget
        QCOMPARE(cache.length, int64_t(12));
    }

    void badCachesAreRefused()
    {
        test::TempDir dir;
        LorsaFixtureOptions o;
        o.nCtx = 10;
        test::writeTinyLorsa(dir.path(), o);
        const auto layer = LorsaLayer::load(dir.path(), at::kCPU, at::kFloat);
        LorsaKeyValueCache cache;
        LorsaForwardOptions options;
        options.keyValues = &cache;
        layer->forward(randomInput(1, 6, o.dModel, 1), options);
        // The context counts the cached positions.
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { layer->forward(randomInput(1, 5, o.dModel, 2), options); }));
        // Another batch size, or a cache of another shape.
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { layer->forward(randomInput(2, 1, o.dModel, 2), options); }));
        auto broken = cache;
        broken.values = broken.values.narrow(2, 0, 3);
        options.keyValues = &broken;
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { layer->forward(randomInput(1, 1, o.dModel, 2), options); }));
        // The straightforward forward is a benchmark baseline without a cache.
        options.keyValues = &cache;
        options.straightforward = true;
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { layer->forward(randomInput(1, 1, o.dModel, 2), options); }));
        // A cancelled forward leaves the cache as it was.
        options.straightforward = false;
        options.cancelled = [] { return true; };
        const auto keys = cache.keys.clone();
        QVERIFY(throwsErrorKind(ErrorKind::Cancelled, [&] { layer->forward(randomInput(1, 2, o.dModel, 3), options); }));
        QCOMPARE(cache.length, int64_t(6));
        QVERIFY(at::equal(cache.keys, keys));
    }
};

QTEST_APPLESS_MAIN(TestLorsaContinuation)
#include "test_lorsa_continuation.moc"
