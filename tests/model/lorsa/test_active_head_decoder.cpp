// The sparse Lorsa decoders against the dense product of the activations with W_O.
// decodeActiveHeads: top-k heads in any order, zero activations among them, one or more
// sequences. (Debian's LibTorch 1.13 has no bfloat16 embedding_bag on the CPU;
// packaging/cuda/gpu-check.sh compares bfloat16 on the GPU.) decodeNonzeroHeads: any number of
// active heads per token (none included), in float32, float64 and bfloat16. Both refuse
// mismatched shapes.
#include "model/lorsa/active_head_decoder.h"
#include "tests/support/checks.h"

#include <c10/core/InferenceMode.h>

#include <QtTest>

using namespace lorsa;
using lorsa::test::relativeError;
using lorsa::test::throwsErrorKind;

namespace {

at::Tensor denseDecode(const at::Tensor& heads, const at::Tensor& acts, const at::Tensor& wO, const at::Tensor& bD)
{
    auto sizes = heads.sizes().vec();
    sizes.back() = wO.size(0);
    const auto dense = at::zeros(sizes, at::kDouble).scatter_(-1, heads, acts.to(at::kDouble));
    return at::matmul(dense, wO.to(at::kDouble)) + bD.to(at::kDouble);
}

} // namespace

class TestActiveHeadDecoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::manual_seed(5); }

    void matchesTheDenseDecoder_data()
    {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("k");
        QTest::addRow("one sequence, k = 1") << 1 << 1;
        QTest::addRow("two sequences, k = 7") << 2 << 7;
        QTest::addRow("k = every head") << 1 << 40;
    }
    void matchesTheDenseDecoder()
    {
        QFETCH(int, batch);
        QFETCH(int, k);
        c10::InferenceMode guard;
        const int64_t nOv = 40, d = 24, t = 9;
        const auto wO = at::randn({nOv, d});
        const auto bD = at::randn({d});
        // Distinct heads per token in a shuffled order, as at::topk returns them.
        const auto heads = at::argsort(at::rand({batch, t, nOv}), int64_t{-1}, false).narrow(-1, 0, k);
        auto acts = at::rand({batch, t, k});
        acts.select(-1, 0).zero_();  // fewer positive scores than k leave zeros among the top k
        const auto out = decodeActiveHeads(heads, acts, wO, bD);
        QCOMPARE(out.sizes().vec(), (std::vector<int64_t>{batch, t, d}));
        QVERIFY(relativeError(out, denseDecode(heads, acts, wO, bD)) < 1e-6);
    }

    void nonzeroHeadsMatchTheDenseDecoder_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addRow("float32") << static_cast<int>(at::kFloat);
        QTest::addRow("float64") << static_cast<int>(at::kDouble);
        QTest::addRow("bfloat16") << static_cast<int>(at::kBFloat16);
    }
    void nonzeroHeadsMatchTheDenseDecoder()
    {
        QFETCH(int, dtype);
        const auto type = static_cast<at::ScalarType>(dtype);
        c10::InferenceMode guard;
        const int64_t nOv = 50, d = 24;
        const auto wO = at::randn({nOv, d}).to(type);
        const auto bD = at::randn({d}).to(type);
        // A varying number of active heads per token (JumpReLU-like), some tokens with none, and
        // negative activations (a ReLU-free original release keeps them).
        auto acts = at::randn({2, 11, nOv}) * at::rand({2, 11, nOv}).lt(0.15);
        acts.select(1, 3).zero_();
        acts[1][10].zero_();
        acts = acts.to(type);
        const auto out = decodeNonzeroHeads(acts, wO, bD);
        QCOMPARE(out.scalar_type(), type);
        QCOMPARE(out.sizes().vec(), (std::vector<int64_t>{2, 11, d}));
        const auto expected = at::matmul(acts.to(at::kDouble), wO.to(at::kDouble)) + bD.to(at::kDouble);
        // bfloat16 rounds the sum once, at the end: within one bfloat16 step of the exact sum.
        const double tolerance = type == at::kBFloat16 ? 8e-3 : type == at::kFloat ? 1e-6 : 1e-12;
        QVERIFY(relativeError(out, expected) < tolerance);
        QVERIFY(at::equal(out.select(1, 3).to(at::kDouble), bD.to(at::kDouble).expand({2, d})));
        QVERIFY(at::equal(decodeNonzeroHeads(at::zeros({3, nOv}, type), wO, bD), bD.expand({3, d})));
    }

    void refusesMismatchedShapes()
    {
        c10::InferenceMode guard;
        const auto wO = at::randn({10, 4});
        const auto heads = at::zeros({1, 3, 2}, at::kLong);
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { decodeActiveHeads(heads, at::ones({1, 3, 3}), wO, at::zeros({4})); }));
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { decodeActiveHeads(heads, at::ones({1, 3, 2}), wO, at::zeros({5})); }));
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { decodeActiveHeads(heads, at::ones({1, 3, 2}), wO.flatten(), at::zeros({4})); }));
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { decodeNonzeroHeads(at::ones({3, 9}), wO, at::zeros({4})); }));
        QVERIFY(throwsErrorKind(ErrorKind::InvalidInput, [&] { decodeNonzeroHeads(at::ones({3, 10}), wO, at::zeros({5})); }));
    }
};

QTEST_APPLESS_MAIN(TestActiveHeadDecoder)
#include "test_active_head_decoder.moc"
