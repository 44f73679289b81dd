// The atlas file: an interrupted run resumed equals one run, merged shards equal one run, a rerun
// is identical, corrupt / foreign / other-Lorsa files are refused, labels survive rebuilds.
#include <torch/torch.h>

#include "model/atlas/atlas_file.h"
#include "model/atlas/atlas_identity.h"
#include "model/atlas/atlas_labels.h"
#include "model/atlas/atlas_merge.h"
#include "model/atlas/atlas_reader.h"
#include "model/core/error.h"
#include "tests/model/atlas/atlas_fixture.h"

#include <QtTest>

#include <fstream>

using namespace lorsa;

namespace {

std::string errorOf(const std::function<void()>& work, ErrorKind expected)
{
    try {
        work();
    } catch (const Error& error) {
        if (error.kind() != expected)
            qFatal("unexpected error kind: %s", error.what());
        return error.what();
    }
    qFatal("expected a lorsa::Error");
}

} // namespace

class TestAtlasFile : public QObject {
    Q_OBJECT

    std::unique_ptr<test::AtlasFixture> m_fixture;
    std::unique_ptr<Engine> m_engine;
    std::filesystem::path m_reference;

private Q_SLOTS:
    void initTestCase()
    {
        m_fixture = std::make_unique<test::AtlasFixture>();
        m_engine = std::make_unique<Engine>(m_fixture->engineOptions(m_fixture->lorsa));
        m_reference = m_fixture->dir / "reference.sqlite";
        indexAtlas(*m_engine, m_fixture->indexOptions(m_reference));
    }

    void rerunIsIdentical()
    {
        const auto again = m_fixture->dir / "again.sqlite";
        indexAtlas(*m_engine, m_fixture->indexOptions(again));
        QCOMPARE(test::dumpAtlas(again), test::dumpAtlas(m_reference));
        // Checkpointing after every batch changes nothing either.
        auto options = m_fixture->indexOptions(again);
        options.checkpointSeconds = 0;
        indexAtlas(*m_engine, options);
        QCOMPARE(test::dumpAtlas(again), test::dumpAtlas(m_reference));
    }

    void resumeAfterInterruptionEqualsOneRun_data()
    {
        QTest::addColumn<int>("stopAfter");
        QTest::addRow("after the first batch") << 1;
        QTest::addRow("after three batches") << 3;
        QTest::addRow("after the last batch") << 1000;  // interrupted while recomputing top contexts
    }
    void resumeAfterInterruptionEqualsOneRun()
    {
        QFETCH(int, stopAfter);
        const auto out = m_fixture->dir / ("resumed-" + std::to_string(stopAfter) + ".sqlite");
        auto options = m_fixture->indexOptions(out);
        options.checkpointSeconds = 1e9;  // only the interruption checkpoints
        int polls = 0;
        int batches = 0;
        options.progress = [&](const IndexProgress& progress) { batches += progress.stage == "indexing"; };
        options.cancelled = [&] {
            ++polls;
            return stopAfter < 1000 ? polls >= stopAfter : polls > batches;
        };
        const auto message = errorOf([&] { indexAtlas(*m_engine, options); }, ErrorKind::Cancelled);
        QVERIFY2(message.find("--resume") != std::string::npos, message.c_str());
        {
            AtlasFile partial(out, AtlasFile::Access::ReadOnly);
            QCOMPARE(partial.requireMeta("status"), std::string("indexing"));
            const auto summary = readAtlasSummary(partial);
            QVERIFY(summary.contexts > 0);
            errorOf([&] { readAtlasHead(partial, 0); }, ErrorKind::InvalidInput);
        }
        options.cancelled = {};
        options.resume = true;
        const auto result = indexAtlas(*m_engine, options);
        QVERIFY(result.resumedContexts > 0);
        QCOMPARE(test::dumpAtlas(out), test::dumpAtlas(m_reference));
        QVERIFY(indexAtlas(*m_engine, options).alreadyComplete);
        // A resume with other options is refused.
        options.top = 4;
        errorOf([&] { indexAtlas(*m_engine, options); }, ErrorKind::InvalidInput);
    }

    void mergedShardsEqualOneRun()
    {
        std::vector<std::filesystem::path> shards;
        for (int i = 0; i < 3; ++i) {
            auto options = m_fixture->indexOptions(m_fixture->dir / ("shard" + std::to_string(i) + ".sqlite"));
            options.corpus.shardIndex = i;
            options.corpus.shardCount = 3;
            indexAtlas(*m_engine, options);
            shards.push_back(options.out);
        }
        const auto merged = m_fixture->dir / "merged.sqlite";
        mergeAtlases(merged, {shards[2], shards[0], shards[1]});
        // Sums of activations come from other batches (batched matmuls round a context's values
        // by its batch row) and are added in another order: equal up to rounding, the rest exactly.
        QCOMPARE(test::dumpAtlas(merged, false), test::dumpAtlas(m_reference, false));
        AtlasFile a(merged, AtlasFile::Access::ReadOnly), b(m_reference, AtlasFile::Access::ReadOnly);
        for (int64_t h = 0; h < 16; ++h)
            QVERIFY(std::abs(readAtlasHead(a, h).meanActive - readAtlasHead(b, h).meanActive) <= 1e-5 * (1 + readAtlasHead(b, h).meanActive));
        QCOMPARE(readAtlasSummary(a).tokensIndexed, readAtlasSummary(b).tokensIndexed);
        errorOf([&] { mergeAtlases(m_fixture->dir / "twice.sqlite", {shards[0], shards[0]}); }, ErrorKind::InvalidInput);
        errorOf([&] { mergeAtlases(m_fixture->dir / "mixed.sqlite", {shards[0], m_reference}); }, ErrorKind::InvalidInput);
    }

    void refusesCorruptForeignAndOtherLorsaFiles()
    {
        const auto dir = m_fixture->dir.path();
        test::writeFile(dir / "text.sqlite", "this is not a database at all, just some text that is long enough");
        auto message = errorOf([&] { AtlasFile(dir / "text.sqlite", AtlasFile::Access::ReadOnly); }, ErrorKind::InvalidFile);
        QVERIFY2(message.find("not an SQLite database") != std::string::npos, message.c_str());
        {
            SqliteDatabase foreign(dir / "foreign.sqlite", SqliteDatabase::Mode::Create);
            foreign.exec("CREATE TABLE people (name TEXT)");
        }
        message = errorOf([&] { AtlasFile(dir / "foreign.sqlite", AtlasFile::Access::Create); }, ErrorKind::InvalidFile);
        QVERIFY2(message.find("not a Lorsa atlas") != std::string::npos, message.c_str());
        // Damage inside the file: overwrite pages after the header.
        std::filesystem::copy_file(m_reference, dir / "damaged.sqlite", std::filesystem::copy_options::overwrite_existing);
        {
            std::fstream file(dir / "damaged.sqlite", std::ios::in | std::ios::out | std::ios::binary);
            file.seekp(4096 + 100);
            const std::string garbage(3 * 4096, '\x5a');
            file.write(garbage.data(), std::streamsize(garbage.size()));
        }
        message = errorOf([&] {
            AtlasFile damaged(dir / "damaged.sqlite", AtlasFile::Access::ReadOnly);
            readTopContexts(damaged, 0);
        }, ErrorKind::InvalidFile);
        QVERIFY2(message.find("damaged") != std::string::npos || message.find("malformed") != std::string::npos, message.c_str());
        // An atlas of another Lorsa (same config, other weights).
        const Engine other(m_fixture->engineOptions(m_fixture->otherLorsa));
        auto options = m_fixture->indexOptions(dir / "again.sqlite");
        std::filesystem::copy_file(m_reference, options.out, std::filesystem::copy_options::overwrite_existing);
        options.lorsaDir = m_fixture->otherLorsa;
        message = errorOf([&] { indexAtlas(other, options); }, ErrorKind::Mismatch);
        QVERIFY2(message.find("built from Lorsa") != std::string::npos, message.c_str());
    }

    // The explorer looks for an atlas in the Lorsa folder: writing one there keeps the identity.
    void atlasInsideTheLorsaFolderStaysItsOwn()
    {
        const auto lorsa = m_fixture->dir / "lorsa-with-atlas";
        std::filesystem::copy(m_fixture->lorsa, lorsa, std::filesystem::copy_options::recursive);
        const Engine engine(m_fixture->engineOptions(lorsa));
        const auto before = atlasIdentity(engine, m_fixture->model, lorsa);
        auto options = m_fixture->indexOptions(lorsa / "atlas.sqlite");
        options.lorsaDir = lorsa;
        indexAtlas(engine, options);
        const auto after = atlasIdentity(engine, m_fixture->model, lorsa);
        QCOMPARE(after.lorsaConfigHash, before.lorsaConfigHash);
        AtlasFile atlas(lorsa / "atlas.sqlite", AtlasFile::Access::ReadOnly);
        atlas.checkBuiltFrom(after);
    }

    void labelsSurviveRebuildAndRoundTrip()
    {
        const auto out = m_fixture->dir / "labelled.sqlite";
        indexAtlas(*m_engine, m_fixture->indexOptions(out));
        {
            AtlasFile atlas(out, AtlasFile::Access::ReadWrite);
            atlas.setAnnotation({3, "induction, of a kind", "fires on \"the\"\nsecond line", true});
            atlas.setAnnotation({5, "previous token", "", false});
        }
        indexAtlas(*m_engine, m_fixture->indexOptions(out));  // a rebuild
        AtlasFile atlas(out, AtlasFile::Access::ReadWrite);
        QCOMPARE(readAtlasHead(atlas, 3).label, std::string("induction, of a kind"));
        QVERIFY(readAtlasHead(atlas, 3).bookmark);
        QCOMPARE(searchByLabel(atlas, "PREVIOUS").front().head, int64_t(5));
        // The head list's rows say what each head's own entry says.
        const auto rows = readHeadRows(atlas);
        QCOMPARE(int64_t(rows.size()), atlas.metaInteger("n_ov_heads"));
        for (const auto& row : rows) {
            const auto head = readAtlasHead(atlas, row.head);
            QCOMPARE(row.head, int64_t(&row - rows.data()));
            QCOMPARE(row.qkHead, head.qkHead);
            QCOMPARE(row.activeCount, head.activeCount);
            QCOMPARE(row.frequency, head.frequency);
            QCOMPARE(row.max, head.max);
            QCOMPARE(row.similarMhsaHead, head.similarMhsaHead);
            QCOMPARE(row.induction, head.scores.induction);
            QCOMPARE(row.previousToken, head.scores.previousToken);
            QCOMPARE(row.label, head.label);
            QCOMPARE(row.note, head.note);
            QCOMPARE(row.bookmark, head.bookmark);
            const auto contexts = readTopContexts(atlas, row.head);
            const auto peak = contexts.empty() ? std::string() : contexts.front().tokenTexts[size_t(contexts.front().position)];
            QCOMPARE(row.topToken, peak);
        }
        const auto before = atlas.annotations();
        for (const auto* name : {"labels.json", "labels.csv"}) {
            const auto file = m_fixture->dir / name;
            QCOMPARE(exportAnnotations(atlas, file), size_t(2));
            atlas.setAnnotation({3, "", "", false});
            atlas.setAnnotation({5, "", "", false});
            QVERIFY(atlas.annotations().empty());
            QCOMPARE(importAnnotations(atlas, file), size_t(2));
            const auto after = atlas.annotations();
            QCOMPARE(after.size(), before.size());
            for (size_t i = 0; i < after.size(); ++i) {
                QCOMPARE(after[i].head, before[i].head);
                QCOMPARE(after[i].label, before[i].label);
                QCOMPARE(after[i].note, before[i].note);
                QCOMPARE(after[i].bookmark, before[i].bookmark);
            }
        }
        test::writeFile(m_fixture->dir / "bad.json", "[{\"head\": 99}]");
        errorOf([&] { importAnnotations(atlas, m_fixture->dir / "bad.json"); }, ErrorKind::InvalidInput);
    }
};

QTEST_APPLESS_MAIN(TestAtlasFile)
#include "test_atlas_file.moc"
