// The reconstruction terms of a Fidelity against numbers worked out by hand: FVU over all tokens,
// each token's squared error over the mean token's variance, L0 per token and its mean; the
// standalone FVU and per-token error agree with the report; a target with no variance gives FVU 0
// when reconstructed exactly and 1 otherwise.
#include "model/engine/fidelity.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QtTest>

using namespace lorsa;

class TestFidelity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reconstructionTermsByHand()
    {
        c10::InferenceMode guard;
        // Three tokens of width 2; the mean target is (1, 1).
        const auto target = at::tensor({0.0, 0.0, 1.0, 1.0, 2.0, 2.0}, at::kDouble).view({1, 3, 2}).to(at::kFloat);
        const auto recon = at::tensor({0.0, 1.0, 1.0, 1.0, 2.0, 0.0}, at::kDouble).view({1, 3, 2}).to(at::kFloat);
        const auto acts = at::tensor({0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 1.0, -1.0, 3.0}, at::kDouble).view({1, 3, 3}).to(at::kFloat);
        // Squared errors per token 1, 0, 4; squared distances from the mean 2, 0, 2 (mean 4/3).
        const auto report = reconstructionFidelity(target, recon, acts);
        QCOMPARE(report.fvu, 5.0 / 4.0);
        QCOMPARE(report.errorPerToken, (std::vector<float>{0.75f, 0.0f, 3.0f}));
        QCOMPARE(report.l0PerToken, (std::vector<float>{1.0f, 0.0f, 3.0f}));
        QCOMPARE(report.meanL0, 4.0 / 3.0);
        QCOMPARE(fractionOfVarianceUnexplained(target, recon), report.fvu);
        QCOMPARE(errorPerToken(target, recon), report.errorPerToken);
        QCOMPARE(l0PerToken(acts), report.l0PerToken);
    }

    void targetWithoutVariance()
    {
        c10::InferenceMode guard;
        const auto constant = at::ones({2, 4, 3});
        const auto acts = at::zeros({2, 4, 5});
        QCOMPARE(reconstructionFidelity(constant, constant, acts).fvu, 0.0);
        const auto report = reconstructionFidelity(constant, constant * 2, acts);
        QCOMPARE(report.fvu, 1.0);
        QCOMPARE(report.errorPerToken, std::vector<float>(8, 3.0f));  // divided by 1 when there is no variance
        QCOMPARE(report.meanL0, 0.0);
    }
};

QTEST_APPLESS_MAIN(TestFidelity)
#include "test_fidelity.moc"
