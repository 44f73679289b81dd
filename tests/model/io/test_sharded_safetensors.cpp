#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "tests/support/temp_dir.h"

#include <torch/torch.h>

#include <QtTest>

using namespace lorsa;

namespace {

// Two shards and an index as transformers' save_pretrained writes them.
void writeShardedCheckpoint(const test::TempDir& dir, const std::string& weightMap)
{
    writeSafetensors(dir / "model-00001-of-00002.safetensors",
                     {{"a", torch::arange(6, torch::kFloat).view({2, 3})}, {"b", torch::ones({4}, torch::kBFloat16)}});
    writeSafetensors(dir / "model-00002-of-00002.safetensors", {{"c", torch::arange(3, torch::kLong)}});
    test::writeFile(dir / "model.safetensors.index.json",
                    "{\"metadata\": {\"total_size\": 44, \"format\": \"pt\"}, \"weight_map\": " + weightMap + "}");
}

const std::string kGoodMap = "{\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00001-of-00002.safetensors\","
                             " \"c\": \"model-00002-of-00002.safetensors\"}";

} // namespace

class TestShardedSafetensors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsAllShards()
    {
        test::TempDir dir;
        writeShardedCheckpoint(dir, kGoodMap);
        const auto source = openShardedSafetensors(dir / "model.safetensors.index.json");
        QCOMPARE(source->names(), (std::vector<std::string>{"a", "b", "c"}));
        QCOMPARE(source->path(), dir / "model.safetensors.index.json");
        QCOMPARE(source->metadata(), (std::map<std::string, std::string>{{"format", "pt"}, {"total_size", "44"}}));
        QCOMPARE(source->info("b").dtype, std::string("BF16"));
        QCOMPARE(source->info("a").shape, (std::vector<int64_t>{2, 3}));
        QVERIFY(torch::equal(source->load("a"), torch::arange(6, torch::kFloat).view({2, 3})));
        QVERIFY(torch::equal(source->load("c"), torch::arange(3, torch::kLong)));
        QVERIFY(!source->contains("zzz"));
        QVERIFY_THROWS_EXCEPTION(Error, source->load("zzz"));
    }

    void rejectsBadIndexes_data()
    {
        QTest::addColumn<QString>("weightMap");
        QTest::addColumn<QString>("expected");
        QTest::addRow("missing shard") << "{\"a\": \"model-00003-of-00002.safetensors\"}"
                                       << "shard 'model-00003-of-00002.safetensors' (holding 'a') is missing";
        QTest::addRow("tensor absent from shard") << "{\"c\": \"model-00001-of-00002.safetensors\"}"
                                                  << "tensor 'c' is listed in shard 'model-00001-of-00002.safetensors' but";
        QTest::addRow("shard outside folder") << "{\"a\": \"../model-00001-of-00002.safetensors\"}" << "outside the checkpoint folder";
        QTest::addRow("absolute shard") << "{\"a\": \"/etc/passwd\"}" << "outside the checkpoint folder";
        QTest::addRow("shard not a string") << "{\"a\": 1}" << "weight_map entry 'a' is not a file name";
        QTest::addRow("weight_map not object") << "[]" << "no 'weight_map' object";
        QTest::addRow("not JSON") << "{" << "not valid JSON";
    }
    void rejectsBadIndexes()
    {
        QFETCH(QString, weightMap);
        QFETCH(QString, expected);
        test::TempDir dir;
        writeShardedCheckpoint(dir, weightMap.toStdString());
        const auto index = dir / "model.safetensors.index.json";
        try {
            openShardedSafetensors(index);
            QFAIL("no error");
        } catch (const Error& error) {
            const std::string message = error.what();
            QVERIFY2(message.rfind(index.string() + ": ", 0) == 0, message.c_str());
            QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
            QCOMPARE(error.kind(), ErrorKind::InvalidFile);
        }
    }

    void corruptShardNamesTheShard()
    {
        test::TempDir dir;
        writeShardedCheckpoint(dir, kGoodMap);
        test::writeFile(dir / "model-00002-of-00002.safetensors", "garbage!!");
        try {
            openShardedSafetensors(dir / "model.safetensors.index.json");
            QFAIL("no error");
        } catch (const Error& error) {
            QVERIFY2(std::string(error.what()).find("model-00002-of-00002.safetensors") != std::string::npos, error.what());
        }
    }

    void missingIndexIsAnError()
    {
        QVERIFY_THROWS_EXCEPTION(Error, openShardedSafetensors("/nonexistent/model.safetensors.index.json"));
    }
};

QTEST_APPLESS_MAIN(TestShardedSafetensors)
#include "test_sharded_safetensors.moc"
