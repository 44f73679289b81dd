#include "model/engine/fidelity.h"

#include "model/core/error.h"

namespace lorsa {
namespace {

std::vector<float> toFloatVector(const at::Tensor& tensor)
{
    const auto flat = tensor.detach().to(at::kCPU, at::kFloat).contiguous().reshape({-1});
    return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
}

at::Tensor asDouble2d(const at::Tensor& tensor)
{
    return tensor.detach().to(at::kDouble).reshape({-1, tensor.size(-1)});
}

/// Per token, on the tensors' device in float64: the squared reconstruction error and the squared
/// distance of the target from the mean target, [2,B*T].
at::Tensor squaredTerms(const at::Tensor& target, const at::Tensor& reconstruction)
{
    const auto t = asDouble2d(target);
    const auto r = asDouble2d(reconstruction.to(target.device()));
    return at::stack({(t - r).pow(2).sum(1), (t - t.mean(0, true)).pow(2).sum(1)});
}

double fvuOf(double residual, double variance)
{
    return variance > 0 ? residual / variance : (residual > 0 ? 1.0 : 0.0);
}

/// The number of nonzero activations of each token of acts [B,T,n]: [B*T], on acts' device.
at::Tensor activeCounts(const at::Tensor& featureActs)
{
    return (featureActs != 0).sum(-1).reshape({-1});
}

/// Each token's squared error over the mean token's squared distance from the mean, from the
/// host copy of squaredTerms.
std::vector<float> errorPerTokenOf(const at::Tensor& terms)
{
    const double meanVariance = terms[1].mean().item<double>();
    return toFloatVector(terms[0] / (meanVariance > 0 ? meanVariance : 1.0));
}

} // namespace

double fractionOfVarianceUnexplained(const at::Tensor& target, const at::Tensor& reconstruction)
{
    const auto sums = squaredTerms(target, reconstruction).sum(1).to(at::kCPU);  // one copy to the host
    return fvuOf(sums[0].item<double>(), sums[1].item<double>());
}

std::vector<float> errorPerToken(const at::Tensor& target, const at::Tensor& reconstruction)
{
    return errorPerTokenOf(squaredTerms(target, reconstruction).to(at::kCPU));
}

at::Tensor nextTokenNll(const at::Tensor& predictions, const at::Tensor& targets)
{
    const auto logProbs = at::log_softmax(predictions.to(at::kFloat), -1);
    return -logProbs.gather(-1, targets.to(predictions.device(), at::kLong).unsqueeze(-1)).squeeze(-1).to(at::kCPU, at::kDouble);
}

double nextTokenLoss(const at::Tensor& logits, const at::Tensor& tokens)
{
    if (logits.size(1) < 2)
        return 0.0;
    return nextTokenNll(logits.narrow(1, 0, logits.size(1) - 1), tokens.narrow(1, 1, tokens.size(1) - 1)).mean().item<double>();
}

Fidelity reconstructionFidelity(const at::Tensor& target, const at::Tensor& reconstruction, const at::Tensor& featureActs)
{
    // Every term is computed where the tensors are and reaches the host in one copy: on a GPU,
    // one synchronisation instead of one per term.
    const auto terms = squaredTerms(target, reconstruction);                                   // [2,N]
    const auto l0 = activeCounts(featureActs).unsqueeze(0).to(terms.device(), at::kDouble);  // [1,N]
    const auto host = at::cat({terms, l0}, 0).to(at::kCPU);
    Fidelity report;
    report.fvu = fvuOf(host[0].sum().item<double>(), host[1].sum().item<double>());
    report.errorPerToken = errorPerTokenOf(host.narrow(0, 0, 2));
    report.l0PerToken = toFloatVector(host[2]);
    double total = 0;
    for (const auto value : report.l0PerToken)
        total += value;
    report.meanL0 = report.l0PerToken.empty() ? 0.0 : total / static_cast<double>(report.l0PerToken.size());
    return report;
}

std::vector<float> l0PerToken(const at::Tensor& featureActs)
{
    return toFloatVector(activeCounts(featureActs));
}

} // namespace lorsa
