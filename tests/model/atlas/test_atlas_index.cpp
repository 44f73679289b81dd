// lorsa index's engine against a brute-force computation written here: every context run alone
// through Engine, all activations kept, statistics and top contexts sorted from them.
#include <torch/torch.h>

#include "model/atlas/atlas_corpus.h"
#include "model/atlas/atlas_file.h"
#include "model/atlas/atlas_reader.h"
#include "model/atlas/state_store.h"
#include "model/core/error.h"
#include "tests/model/atlas/atlas_fixture.h"

#include <QtTest>

#include <cmath>

using namespace lorsa;

namespace {

struct BruteHead {
    int64_t count = 0;
    double sum = 0;
    float max = -INFINITY;
    std::vector<int64_t> histogram = std::vector<int64_t>(kHistogramBins, 0);
    std::vector<TopEntry> contexts;  // every context with a positive peak
};

/// Every context of \p corpus alone through the engine ([1, length] tokens, no padding).
std::vector<BruteHead> bruteForce(const Engine& engine, const AtlasCorpus& corpus, int64_t top)
{
    const auto heads = engine.lorsa()->config().nOvHeads;
    std::vector<BruteHead> result(static_cast<size_t>(heads));
    RunRequest request;
    request.lorsa = true;
    for (size_t c = 0; c < corpus.contexts.size(); ++c) {
        const auto ids = corpus.contextTokens(c);
        const auto acts = engine.run(at::tensor(ids, at::kLong).unsqueeze(0), request).lorsa->featureActs[0].to(at::kFloat).contiguous();
        const auto& span = corpus.contexts[c];
        for (int64_t h = 0; h < heads; ++h) {
            auto& head = result[static_cast<size_t>(h)];
            float peak = 0;
            int64_t position = 0;
            for (int64_t t = 1; t < acts.size(0); ++t) {
                const float a = acts[t][h].item<float>();
                if (a == 0)
                    continue;
                ++head.count;
                head.sum += a;
                head.max = std::max(head.max, a);
                const auto bin = std::clamp<int64_t>(static_cast<int64_t>(std::floor((std::log10(std::abs(double(a))) + 6) * 4)), 0, kHistogramBins - 1);
                ++head.histogram[static_cast<size_t>(bin)];
                if (a > peak) {
                    peak = a;
                    position = t;
                }
            }
            if (peak > 0)
                head.contexts.push_back({peak, span.document, span.start, position});
        }
    }
    (void)top;
    for (auto& head : result)
        std::stable_sort(head.contexts.begin(), head.contexts.end(), ranksBefore);
    return result;
}

bool close(double a, double b, double tolerance = 1e-4)
{
    return std::abs(a - b) <= tolerance * std::max(1.0, std::max(std::abs(a), std::abs(b)));
}

} // namespace

class TestAtlasIndex : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyHeadEqualsBruteForce()
    {
        test::AtlasFixture fixture;
        const Engine engine(fixture.engineOptions(fixture.lorsa));
        auto options = fixture.indexOptions(fixture.dir / "atlas.sqlite");
        const auto result = indexAtlas(engine, options);
        QVERIFY(result.contexts > 3 * options.batch);

        const auto corpus = buildAtlasCorpus(options.corpus, engine.tokenizer(), *engine.model().config().bosTokenId);
        QCOMPARE(result.tokens, corpus.tokenCount);
        const auto expected = bruteForce(engine, corpus, options.top);
        AtlasFile atlas(options.out, AtlasFile::Access::ReadOnly);
        QCOMPARE(atlas.metaInteger("tokens_done"), corpus.tokenCount);
        int64_t withContexts = 0;
        for (int64_t h = 0; h < 16; ++h) {
            const auto& want = expected[static_cast<size_t>(h)];
            const auto head = readAtlasHead(atlas, h);
            QCOMPARE(head.activeCount, want.count);
            QVERIFY(close(head.frequency, double(want.count) / double(corpus.tokenCount)));
            QCOMPARE(head.histogramCounts, want.histogram);
            if (want.count > 0) {
                QVERIFY2(close(head.max, want.max), (std::to_string(head.max) + " vs " + std::to_string(want.max)).c_str());
                QVERIFY(close(head.meanActive, want.sum / double(want.count)));
            }
            QCOMPARE(head.qkHead, engine.lorsa()->qkHeadOf(h));
            QCOMPARE(int64_t(head.promoted.size()), int64_t(10));
            QCOMPARE(int64_t(head.suppressed.size()), int64_t(10));
            QVERIFY(head.suppressed.front().score <= head.promoted.back().score);

            const auto top = readTopContexts(atlas, h);
            QCOMPARE(top.size(), std::min<size_t>(want.contexts.size(), size_t(options.top)));
            withContexts += !top.empty();
            for (size_t r = 0; r < top.size(); ++r) {
                const auto& got = top[r];
                QCOMPARE(got.rank, int64_t(r));
                // Rank by rank the values agree; the context is the brute force's or, where two
                // peaks tie up to rounding (contexts sharing a prefix), one of equal value.
                QVERIFY(close(got.activation, want.contexts[r].activation));
                const auto same = std::find_if(want.contexts.begin(), want.contexts.end(), [&](const TopEntry& e) {
                    return e.document == got.document && e.start == got.start;
                });
                QVERIFY(same != want.contexts.end());
                const auto& w = *same;
                QVERIFY(close(w.activation, got.activation));
                QCOMPARE(got.position, w.position);
                if (r > 0)
                    QVERIFY(!ranksBefore(TopEntry{got.activation, got.document, got.start, 0},
                                         TopEntry{top[r - 1].activation, top[r - 1].document, top[r - 1].start, 0}));
                const auto ids = corpus.contextTokens(size_t(corpus.find(w.document, w.start)));
                QCOMPARE(got.tokens, ids);
                QCOMPARE(got.tokenTexts.size(), ids.size());
                QCOMPARE(got.activations.size(), ids.size());
                QCOMPARE(got.activations[size_t(got.position)], got.activation);
                // The z-pattern row at the peak is what lorsa analyze computes for that context.
                RunRequest request;
                request.zHeads = {h};
                const auto z = engine.run(at::tensor(ids, at::kLong).unsqueeze(0), request).zPatterns[0][0][got.position].to(at::kFloat);
                QCOMPARE(int64_t(got.zPattern.size()), got.position + 1);
                for (int64_t k = 0; k <= got.position; ++k)
                    QVERIFY(close(got.zPattern[size_t(k)], z[k].item<float>()));
                if (r == 0)
                    QVERIFY(head.similarMhsaHead >= 0 && head.similarMhsaHead < 4);
            }
        }
        QVERIFY(withContexts > 8);
    }

    void corpusRules()
    {
        test::TempDir dir;
        test::writeFile(dir / "a.jsonl", "{\"text\": \"first doc\"}\n\n{\"text\": \"second\", \"id\": 3}\n");
        test::writeFile(dir / "b.txt", "third\nstill third\n\n\n  \nfourth\n");
        const auto documents = readAtlasDocuments({dir / "a.jsonl", dir / "b.txt"});
        QCOMPARE(documents, (std::vector<std::string>{"first doc", "second", "third\nstill third", "fourth"}));

        test::writeFile(dir / "bad.jsonl", "{\"text\": 3}\n");
        test::writeFile(dir / "binary.txt", std::string("ab\0cd", 5));
        test::writeFile(dir / "latin1.txt", "caf\xe9\n");
        test::writeFile(dir / "empty.txt", "");
        for (const auto* name : {"bad.jsonl", "binary.txt", "latin1.txt", "empty.txt", "missing.txt"}) {
            try {
                readAtlasDocuments({dir / name});
                QFAIL(name);
            } catch (const Error& error) {
                QVERIFY2(std::string(error.what()).find(name) != std::string::npos, error.what());
            }
        }
    }

    void windowsShardsAndMaxTokens()
    {
        test::AtlasFixture fixture;
        const Engine engine(fixture.engineOptions(fixture.lorsa));
        CorpusOptions options;
        options.files = {fixture.corpus};
        options.context = 8;
        const auto bos = *engine.model().config().bosTokenId;
        const auto all = buildAtlasCorpus(options, engine.tokenizer(), bos);
        const auto documents = readAtlasDocuments({fixture.corpus});
        int64_t tokens = 0;
        for (size_t d = 0; d < documents.size(); ++d) {
            const auto ids = engine.tokenizer().encode(documents[d], false).ids;
            tokens += int64_t(ids.size());
            for (int64_t start = 0; start < int64_t(ids.size()); start += 7) {
                const auto index = all.find(int64_t(d), start);
                QVERIFY(index >= 0);
                const auto context = all.contextTokens(size_t(index));
                QCOMPARE(context.front(), bos);
                QCOMPARE(context.size(), size_t(std::min<int64_t>(7, int64_t(ids.size()) - start) + 1));
                QCOMPARE(context[1], ids[size_t(start)]);
            }
        }
        QCOMPARE(all.tokenCount, tokens);
        options.shardIndex = 1;
        options.shardCount = 3;
        for (const auto& span : buildAtlasCorpus(options, engine.tokenizer(), bos).contexts)
            QCOMPARE(span.document % 3, int64_t(1));
        options.shardCount = 1;
        options.shardIndex = 0;
        options.maxTokens = 30;
        const auto limited = buildAtlasCorpus(options, engine.tokenizer(), bos);
        QVERIFY(limited.tokenCount <= 30 && limited.tokenCount > 30 - 7);
    }
};

QTEST_APPLESS_MAIN(TestAtlasIndex)
#include "test_atlas_index.moc"
