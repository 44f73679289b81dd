#include <torch/torch.h>

#include "model/core/weight_matmul.h"

#include <QtTest>

using namespace lorsa;

namespace {

double relativeError(const at::Tensor& got, const at::Tensor& expected)
{
    return (got.to(at::kDouble) - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}

} // namespace

class TestWeightMatmul : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Every way matmulWeight() multiplies gives what the float64 product gives: a product per
    // row (1-4 rows), blocks of a kept half-precision weight (a ragged last block included), and
    // one GEMM.
    void everyPathGivesTheProduct_data()
    {
        QTest::addColumn<int>("stored");
        QTest::addColumn<QList<qint64>>("xShape");
        QTest::addColumn<qint64>("blockBytes");
        const auto bf16 = int(at::kBFloat16), f16 = int(at::kHalf), f32 = int(at::kFloat);
        QTest::addRow("bf16 kept, one row, 7-column blocks") << bf16 << QList<qint64>{1, 48} << qint64(7 * 48 * 4);
        QTest::addRow("bf16 kept, [2,2,48] row by row, 1-column blocks") << bf16 << QList<qint64>{2, 2, 48} << qint64(1);
        QTest::addRow("bf16 kept, [2,5,48] GEMM blocks") << bf16 << QList<qint64>{2, 5, 48} << qint64(5 * 48 * 4);
        QTest::addRow("f16 kept, [3,48], 16-column blocks") << f16 << QList<qint64>{3, 48} << qint64(16 * 48 * 4);
        QTest::addRow("bf16 kept, one block holds all") << bf16 << QList<qint64>{4, 48} << qint64(1 << 20);
        QTest::addRow("bf16 kept, default block") << bf16 << QList<qint64>{8, 48} << qint64(kConvertedBlockBytes);
        QTest::addRow("bf16 kept, more rows than are blocked") << bf16 << QList<qint64>{kBlockedRowsMax + 1, 48} << qint64(1);
        QTest::addRow("f32, one row") << f32 << QList<qint64>{1, 48} << qint64(1);
        QTest::addRow("f32, [1,4,48] row by row") << f32 << QList<qint64>{1, kRowByRowMax, 48} << qint64(1);
        QTest::addRow("f32, 5 rows: one GEMM") << f32 << QList<qint64>{kRowByRowMax + 1, 48} << qint64(1);
        QTest::addRow("f32, no rows") << f32 << QList<qint64>{0, 48} << qint64(1);
    }
    void everyPathGivesTheProduct()
    {
        QFETCH(int, stored);
        QFETCH(QList<qint64>, xShape);
        QFETCH(qint64, blockBytes);
        at::manual_seed(3);
        // As the loader keeps weights: a half-precision [out, in] matrix read transposed, or a
        // float32 one made contiguous [in, out].
        const auto file = at::randn({37, 48}).to(static_cast<at::ScalarType>(stored));
        const auto weight = stored == int(at::kFloat) ? file.t().contiguous() : file.t();
        const auto x = at::randn(std::vector<int64_t>(xShape.begin(), xShape.end()));
        const auto bias = at::randn({37}).to(static_cast<at::ScalarType>(stored));
        const auto expected = at::matmul(x.to(at::kDouble), weight.to(at::kDouble));
        const auto y = matmulWeight(x, weight, {}, blockBytes);
        QCOMPARE(y.scalar_type(), at::kFloat);
        QCOMPARE(y.sizes().vec(), expected.sizes().vec());
        if (expected.numel() == 0)
            return;
        QVERIFY2(relativeError(y, expected) < 1e-6, std::to_string(relativeError(y, expected)).c_str());
        const auto withBias = matmulWeight(x, weight, bias, blockBytes);
        QVERIFY(relativeError(withBias, expected + bias.to(at::kDouble)) < 1e-6);
    }

    // Other run dtypes take LibTorch's own product (a bfloat16 run on the CPU, float64 references).
    void otherDtypesMultiplyToo()
    {
        at::manual_seed(4);
        const auto weight = at::randn({48, 37});
        for (const auto dtype : {at::kBFloat16, at::kDouble}) {
            const auto x = at::randn({2, 48}).to(dtype);
            const auto y = matmulWeight(x, weight.to(dtype));
            QCOMPARE(y.scalar_type(), dtype);
            const auto expected = at::matmul(x.to(at::kDouble), weight.to(dtype).to(at::kDouble));
            QVERIFY(relativeError(y, expected) < (dtype == at::kDouble ? 1e-12 : 1e-2));
        }
    }
};

QTEST_APPLESS_MAIN(TestWeightMatmul)
#include "test_weight_matmul.moc"
