#include <torch/torch.h>

#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "model/transformer/transformer_weights.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

using namespace lorsa;

Q_DECLARE_METATYPE(lorsa::test::FixtureDtype)

class TestTransformerWeights : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The dtype "most of the weights" are stored in, from the headers of every shard.
    void storedDtypeIsTheFilesMajority_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<test::FixtureDtype>("dtype");
        QTest::addColumn<bool>("mixed");
        QTest::addColumn<int>("shards");
        QTest::addColumn<int>("expected");
        using D = test::FixtureDtype;
        QTest::addRow("gpt2 f32") << QStringLiteral("gpt2") << D::F32 << false << 1 << int(at::kFloat);
        QTest::addRow("llama bf16") << QStringLiteral("llama") << D::BF16 << false << 1 << int(at::kBFloat16);
        QTest::addRow("llama bf16, f32 norms, 3 shards") << QStringLiteral("llama") << D::BF16 << true << 3 << int(at::kBFloat16);
        QTest::addRow("neox f16") << QStringLiteral("neox") << D::F16 << false << 1 << int(at::kHalf);
        QTest::addRow("neox f16, f32 norms and biases") << QStringLiteral("neox") << D::F16 << true << 2 << int(at::kHalf);
    }
    void storedDtypeIsTheFilesMajority()
    {
        QFETCH(QString, architecture);
        QFETCH(test::FixtureDtype, dtype);
        QFETCH(bool, mixed);
        QFETCH(int, shards);
        QFETCH(int, expected);
        test::TempDir dir;
        if (architecture == QStringLiteral("gpt2")) {
            test::Gpt2FixtureOptions o;
            o.dtype = dtype, o.mixedDtypes = mixed, o.shards = shards;
            test::writeTinyGpt2(dir.path(), o);
        } else if (architecture == QStringLiteral("neox")) {
            test::NeoxFixtureOptions o;
            o.dtype = dtype, o.mixedDtypes = mixed, o.shards = shards;
            test::writeTinyNeox(dir.path(), o);
        } else {
            test::LlamaFixtureOptions o;
            o.dtype = dtype, o.mixedDtypes = mixed, o.shards = shards;
            test::writeTinyLlama(dir.path(), o);
        }
        QCOMPARE(int(storedWeightDtype(dir.path())), expected);
    }

    // Counted by elements, not by tensors: many small bfloat16 tensors beside one large float32
    // matrix are a float32 checkpoint; float64 counts as float32.
    void elementsDecideNotTensors()
    {
        test::TempDir dir;
        std::vector<std::pair<std::string, at::Tensor>> tensors;
        for (int i = 0; i < 10; ++i)
            tensors.emplace_back("small." + std::to_string(i), at::ones({8}, at::kBFloat16));
        tensors.emplace_back("large", at::ones({40, 2}, at::kDouble));
        tensors.emplace_back("ids", at::zeros({1000}, at::kLong));
        writeSafetensors(dir / "model.safetensors", tensors);
        QCOMPARE(storedWeightDtype(dir.path()), at::kFloat);
        tensors.emplace_back("more", at::ones({1}, at::kBFloat16));
        writeSafetensors(dir / "model.safetensors", tensors);
        QCOMPARE(storedWeightDtype(dir.path()), at::kBFloat16);
    }

    void aFolderWithoutWeightsIsNamed()
    {
        test::TempDir dir;
        try {
            storedWeightDtype(dir.path());
            QFAIL("expected an error");
        } catch (const Error& error) {
            QCOMPARE(error.kind(), ErrorKind::InvalidFile);
            QVERIFY2(std::string(error.what()).find("no model.safetensors") != std::string::npos, error.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestTransformerWeights)
#include "test_transformer_weights.moc"
