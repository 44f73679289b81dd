// Passes that continue cached positions (KeyValueCache) or resume inside the model (ResumePoint)
// give what one pass over the whole sequence gives, for every architecture.
#include "model/core/error.h"
#include "model/transformer/transformer.h"
#include "tests/support/checks.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <torch/torch.h>

#include <QtTest>

#include <functional>

using namespace lorsa;
using lorsa::test::relativeError;
using lorsa::test::throwsErrorKind;

namespace {

constexpr double kTolerance = 1e-5;

at::Tensor randomTokens(int64_t batch, int64_t n, int64_t vocab, uint64_t seed)
{
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    return at::randint(vocab, {batch, n}, gen, at::kLong);
}

using Writer = std::function<void(const std::filesystem::path&)>;

std::set<std::string> comparedHooks(int64_t layers)
{
    std::set<std::string> names = {"logits"};
    for (int64_t l = 0; l < layers; ++l)
        for (const char* n : {"attn.hook_pattern", "attn.hook_k", "attn.hook_z", "hook_resid_post"})
            names.insert("blocks." + std::to_string(l) + "." + n);
    return names;
}

/// The whole pass's positions [first, first+n) of every hook against one continued piece.
void compareRows(const ActivationCache& whole, const ActivationCache& piece, int64_t first, int64_t n)
{
    for (const auto& [name, expected] : whole) {
        const auto& actual = piece.at(name);
        if (name.find("hook_pattern") != std::string::npos) {  // [B,H,T,S]: keys up to the piece's end
            QCOMPARE(actual.size(3), first + n);
            QVERIFY2(relativeError(actual, expected.narrow(2, first, n).narrow(3, 0, first + n)) <= kTolerance, name.c_str());
        } else {
            QVERIFY2(relativeError(actual, expected.narrow(1, first, n)) <= kTolerance, name.c_str());
        }
    }
}

} // namespace

Q_DECLARE_METATYPE(Writer)

class TestKeyValueCache : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void continuationEqualsOnePass_data()
    {
        QTest::addColumn<Writer>("write");
        QTest::addRow("gpt2 (learned positions)") << Writer([](const auto& dir) { test::writeTinyGpt2(dir); });
        QTest::addRow("neox, partial rotary, 3 layers") << Writer([](const auto& dir) {
            test::NeoxFixtureOptions o;
            o.nLayers = 3;
            o.rotaryPct = 0.5;
            test::writeTinyNeox(dir, o);
        });
        QTest::addRow("llama gqa, llama3 scaling") << Writer([](const auto& dir) {
            test::LlamaFixtureOptions o;
            o.llama3Scaling = true;
            test::writeTinyLlama(dir, o);
        });
    }

    void continuationEqualsOnePass()
    {
        QFETCH(Writer, write);
        test::TempDir dir;
        write(dir.path());
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        const auto& c = model->config();
        const auto tokens = randomTokens(2, 23, 260, 5);
        ForwardOptions options;
        options.capture.names = comparedHooks(c.nLayers);
        ActivationCache whole;
        model->forward(tokens, whole, options);

        KeyValueCache cache;
        options.keyValues = &cache;
        int64_t first = 0;
        for (const int64_t n : {7, 1, 1, 10, 4}) {
            ActivationCache piece;
            model->forward(tokens.narrow(1, first, n), piece, options);
            compareRows(whole, piece, first, n);
            first += n;
            QCOMPARE(cache.length, first);
        }
        for (int64_t l = 0; l < c.nLayers; ++l)
            QVERIFY(relativeError(cache.keys[size_t(l)], whole.at("blocks." + std::to_string(l) + ".attn.hook_k")) <= kTolerance);
    }

    void truncatedCacheContinuesAnotherPrompt()
    {
        test::TempDir dir;
        test::writeTinyNeox(dir.path());
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        const auto a = randomTokens(1, 12, 300, 1), b = randomTokens(1, 6, 300, 2);
        KeyValueCache cache;
        ForwardOptions options;
        options.keyValues = &cache;
        ActivationCache unused;
        model->forward(a, unused, options);
        cache.truncate(5);
        QCOMPARE(cache.length, int64_t(5));
        const auto continued = model->forward(b, unused, options);
        const auto whole = model->forward(at::cat({a.narrow(1, 0, 5), b}, 1), unused, {});
        QVERIFY(relativeError(continued, whole.narrow(1, 5, 6)) <= kTolerance);
    }

    // The spliced run's recipe: resume at a block from its residual, with a cache of the blocks
    // from there on only.
    void resumingInsideTheModel()
    {
        test::TempDir dir;
        test::NeoxFixtureOptions o;
        o.nLayers = 3;
        test::writeTinyNeox(dir.path(), o);
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        const auto tokens = randomTokens(1, 15, 300, 3);
        ForwardOptions capture;
        capture.capture.names = {"blocks.1.hook_resid_pre", "blocks.2.attn.hook_pattern"};
        ActivationCache whole;
        const auto logits = model->forward(tokens, whole, capture);
        const auto residual = whole.at("blocks.1.hook_resid_pre");

        std::vector<std::string> seen;
        ForwardOptions resumed;
        resumed.resumeFrom = ResumePoint{1, residual};
        resumed.intervene = [&](const std::string& hook, at::Tensor&) { seen.push_back(hook); };
        ActivationCache unused;
        QVERIFY(relativeError(model->forward(tokens, unused, resumed), logits) <= kTolerance);
        QCOMPARE(seen.front(), std::string("blocks.1.hook_resid_pre"));

        KeyValueCache cache;
        resumed.keyValues = &cache;
        resumed.intervene = {};
        resumed.capture.names = {"blocks.2.attn.hook_pattern"};
        for (const auto& [begin, n] : std::vector<std::pair<int64_t, int64_t>>{{0, 9}, {9, 6}}) {
            resumed.resumeFrom = ResumePoint{1, residual.narrow(1, begin, n)};
            ActivationCache piece;
            const auto rows = model->forward(tokens.narrow(1, begin, n), piece, resumed);
            QVERIFY(relativeError(rows, logits.narrow(1, begin, n)) <= kTolerance);
            compareRows({{"blocks.2.attn.hook_pattern", whole.at("blocks.2.attn.hook_pattern")}}, piece, begin, n);
        }
        QVERIFY(!cache.keys[0].defined());  // the skipped block keeps nothing
        QCOMPARE(cache.keys[2].size(1), int64_t(15));
    }

    void badRequestsAreRefused()
    {
        test::TempDir dir;
        test::Gpt2FixtureOptions o;
        o.nCtx = 16;
        test::writeTinyGpt2(dir.path(), o);
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        KeyValueCache cache;
        ForwardOptions options;
        options.keyValues = &cache;
        ActivationCache unused;
        model->forward(randomTokens(1, 10, 300, 1), unused, options);
        // The context counts the cached positions.
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { model->forward(randomTokens(1, 7, 300, 2), unused, options); }));
        // Another batch, or a cache that lost a block's positions.
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { model->forward(randomTokens(2, 1, 300, 2), unused, options); }));
        auto broken = cache;
        broken.values[1] = broken.values[1].narrow(1, 0, 4);
        options.keyValues = &broken;
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { model->forward(randomTokens(1, 1, 300, 2), unused, options); }));
        // A cache grows only through every block.
        options.keyValues = &cache;
        options.lastLayer = 0;
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { model->forward(randomTokens(1, 1, 300, 2), unused, options); }));
        options.lastLayer.reset();
        // Resuming needs a block in range and a residual of the tokens' shape.
        ForwardOptions resumed;
        resumed.resumeFrom = ResumePoint{2, at::zeros({1, 3, 32})};
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { model->forward(randomTokens(1, 3, 300, 2), unused, resumed); }));
        resumed.resumeFrom = ResumePoint{1, at::zeros({1, 4, 32})};
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { model->forward(randomTokens(1, 3, 300, 2), unused, resumed); }));
        resumed.resumeFrom = ResumePoint{1, at::zeros({1, 3, 32})};
        resumed.lastLayer = 0;
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { model->forward(randomTokens(1, 3, 300, 2), unused, resumed); }));
        // A cancelled pass leaves the cache as it was, and the next pass continues correctly.
        int polls = 0;
        options.cancelled = [&] { return ++polls == 2; };
        const auto keys = cache.keys[0].clone();
        const auto more = randomTokens(1, 3, 300, 4);
        QVERIFY(throwsErrorKind(ErrorKind::Cancelled, [&] { model->forward(more, unused, options); }));
        QCOMPARE(cache.length, int64_t(10));
        QVERIFY(at::equal(cache.keys[0], keys));
        options.cancelled = {};
        const auto continued = model->forward(more, unused, options);
        KeyValueCache fresh;
        ForwardOptions again;
        again.keyValues = &fresh;
        model->forward(randomTokens(1, 10, 300, 1), unused, again);
        QVERIFY(relativeError(continued, model->forward(more, unused, again)) <= kTolerance);
    }
};

QTEST_APPLESS_MAIN(TestKeyValueCache)
#include "test_key_value_cache.moc"
