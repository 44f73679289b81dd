// The two cores of the Lorsa attention (cache-blocked per head for CPUs, batched for GPUs) give
// the same hidden values and patterns as a plain masked softmax, also when only the last
// queries are asked for (the earlier keys coming from a cache).
#include <torch/torch.h>

#include "model/lorsa/causal_attention.h"

#include <QtTest>

using namespace lorsa;

namespace {

CausalAttentionInputs randomInputs(int64_t batch, int64_t heads, int64_t t, int64_t dQk, int64_t group)
{
    CausalAttentionInputs in;
    in.q = at::randn({batch, heads, t, dQk}, at::kFloat);
    in.k = at::randn({batch, heads, t, dQk}, at::kFloat);
    in.v = at::randn({batch, heads, t, group}, at::kFloat);
    in.scale = std::sqrt(static_cast<double>(dQk));
    return in;
}

double maxAbsDifference(const at::Tensor& a, const at::Tensor& b)
{
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

} // namespace

class TestCausalAttention : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::manual_seed(3); }

    void bothCoresMatchAPlainSoftmax_data()
    {
        QTest::addColumn<int>("t");
        QTest::addColumn<int>("queries");
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("count");
        QTest::addRow("one block") << 17 << 17 << 0 << 3;
        QTest::addRow("several query blocks, a range of heads") << 300 << 300 << 1 << 2;
        QTest::addRow("one token") << 1 << 1 << 0 << 3;
        QTest::addRow("last query after cached keys") << 40 << 1 << 0 << 3;
        QTest::addRow("last queries after cached keys") << 23 << 5 << 1 << 2;
        QTest::addRow("several query blocks after cached keys") << 400 << 260 << 0 << 3;
    }
    void bothCoresMatchAPlainSoftmax()
    {
        QFETCH(int, t);
        QFETCH(int, queries);
        QFETCH(int, first);
        QFETCH(int, count);
        c10::InferenceMode guard;
        auto in = randomInputs(2, 3, t, 8, 5);
        const auto future = at::ones({t, t}, at::kBool).triu(1);
        const auto fullPattern = at::softmax((at::matmul(in.q, in.k.transpose(-1, -2)) / in.scale).masked_fill(future, -INFINITY), -1);
        const auto expectedPattern = fullPattern.narrow(2, t - queries, queries);  // [B,h,queries,t]
        const auto expectedHidden = at::matmul(expectedPattern, in.v);
        in.q = in.q.narrow(2, t - queries, queries).contiguous();
        for (const bool batched : {false, true}) {
            auto hidden = at::full({2, 3, queries, 5}, 7.0f);
            auto pattern = at::zeros({2, 3, queries, t}, at::kFloat);
            if (batched)
                causalGroupedAttentionBatched(in, first, count, hidden, pattern);
            else
                causalGroupedAttention(in, first, count, hidden, pattern);
            const auto heads = at::indexing::Slice(first, first + count);
            QVERIFY(maxAbsDifference(hidden.index({at::indexing::Slice(), heads}), expectedHidden.index({at::indexing::Slice(), heads})) < 1e-5);
            QVERIFY(maxAbsDifference(pattern.index({at::indexing::Slice(), heads}), expectedPattern.index({at::indexing::Slice(), heads})) < 1e-6);
            // Heads outside the range are left alone.
            if (first > 0)
                QCOMPARE(hidden.index({at::indexing::Slice(), at::indexing::Slice(0, first)}).eq(7.0f).all().item<bool>(), true);
            QCOMPARE(pattern.index({at::indexing::Slice(), heads}).triu(t - queries + 1).abs().sum().item<double>(), 0.0);
        }
    }
};

QTEST_APPLESS_MAIN(TestCausalAttention)
#include "test_causal_attention.moc"
