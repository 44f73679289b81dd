// fusedCausalAttention, the one call behind the model's and the Lorsa's attention on an
// accelerator, against a plain float64 masked softmax: grouped heads, a value width other than
// the key width (a Lorsa's OV group), queries after cached keys, half precision, and shapes it
// must refuse. On Debian's LibTorch 1.13 this checks the portable path; a LibTorch 2.x build runs
// the same contract through scaled_dot_product_attention.
#include "model/core/fused_attention.h"
#include "tests/support/checks.h"

#include <c10/core/InferenceMode.h>

#include <QtTest>

#include <cmath>

using namespace lorsa;
using lorsa::test::relativeError;
using lorsa::test::throwsErrorKind;

namespace {

at::Tensor plainAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale)
{
    const int64_t t = q.size(2), s = k.size(2), group = q.size(1) / k.size(1);
    const auto keys = k.to(at::kDouble).repeat_interleave(group, 1);
    const auto values = v.to(at::kDouble).repeat_interleave(group, 1);
    const auto scores = at::matmul(q.to(at::kDouble), keys.transpose(-1, -2)) * scale;
    const auto future = at::ones({t, s}, at::kBool).triu(s - t + 1);
    return at::matmul(at::softmax(scores.masked_fill(future, -INFINITY), -1), values);
}

} // namespace

class TestFusedAttention : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::manual_seed(11); }

    void matchesAPlainSoftmax_data()
    {
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("kvHeads");
        QTest::addColumn<int>("queries");
        QTest::addColumn<int>("keys");
        QTest::addColumn<int>("valueWidth");
        QTest::addRow("one head per key/value head") << 3 << 3 << 19 << 19 << 8;
        QTest::addRow("grouped query heads") << 8 << 2 << 33 << 33 << 8;
        QTest::addRow("a Lorsa OV group wider than the QK head") << 4 << 4 << 21 << 21 << 12;
        QTest::addRow("queries after cached keys") << 4 << 2 << 5 << 30 << 8;
        QTest::addRow("one query after cached keys") << 2 << 2 << 1 << 17 << 3;
        QTest::addRow("one token") << 2 << 1 << 1 << 1 << 4;
    }
    void matchesAPlainSoftmax()
    {
        QFETCH(int, heads);
        QFETCH(int, kvHeads);
        QFETCH(int, queries);
        QFETCH(int, keys);
        QFETCH(int, valueWidth);
        c10::InferenceMode guard;
        const auto q = at::randn({2, heads, queries, 8});
        const auto k = at::randn({2, kvHeads, keys, 8});
        const auto v = at::randn({2, kvHeads, keys, valueWidth});
        const double scale = 1.0 / std::sqrt(8.0);
        const auto out = fusedCausalAttention(q, k, v, scale);
        QCOMPARE(out.sizes().vec(), (std::vector<int64_t>{2, heads, queries, valueWidth}));
        QCOMPARE(out.scalar_type(), at::kFloat);
        QVERIFY2(relativeError(out, plainAttention(q, k, v, scale)) < 1e-6, "float32 result differs from the float64 softmax");
    }

    void keepsHalfPrecisionInputsInTheirDtype()
    {
        c10::InferenceMode guard;
        const auto q = at::randn({1, 4, 40, 16}).to(at::kBFloat16);
        const auto k = at::randn({1, 4, 40, 16}).to(at::kBFloat16);
        const auto v = at::randn({1, 4, 40, 16}).to(at::kBFloat16);
        const auto out = fusedCausalAttention(q, k, v, 0.25);
        QCOMPARE(out.scalar_type(), at::kBFloat16);
        QVERIFY(relativeError(out, plainAttention(q, k, v, 0.25)) < 2e-2);
    }

    void firstQueryAttendsOnlyToItself()
    {
        c10::InferenceMode guard;
        const auto q = at::randn({1, 2, 6, 4}, at::kDouble);
        const auto k = at::randn({1, 2, 6, 4}, at::kDouble);
        const auto v = at::randn({1, 2, 6, 5}, at::kDouble);
        const auto out = fusedCausalAttention(q, k, v, 0.5);
        QVERIFY(relativeError(out.select(2, 0), v.select(2, 0)) < 1e-12);
    }

    void refusesShapesThatDoNotFit()
    {
        c10::InferenceMode guard;
        const auto q = at::randn({1, 4, 5, 8});
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { fusedCausalAttention(q, at::randn({1, 3, 5, 8}), at::randn({1, 3, 5, 8}), 1); }));
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { fusedCausalAttention(q, at::randn({1, 4, 5, 6}), at::randn({1, 4, 5, 8}), 1); }));
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { fusedCausalAttention(q, at::randn({1, 4, 4, 8}), at::randn({1, 4, 4, 8}), 1); }));
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { fusedCausalAttention(q, at::randn({1, 4, 5, 8}), at::randn({1, 4, 6, 8}), 1); }));
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { fusedCausalAttention(q.select(0, 0), q, q, 1); }));
    }
};

QTEST_APPLESS_MAIN(TestFusedAttention)
#include "test_fused_attention.moc"
