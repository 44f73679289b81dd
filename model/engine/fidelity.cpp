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

} // namespace

double fractionOfVarianceUnexplained(const at::Tensor& target, const at::Tensor& reconstruction)
{
    const auto t = asDouble2d(target);
    const auto r = asDouble2d(reconstruction.to(target.device()));
    const double residual = (t - r).pow(2).sum().item<double>();
    const double variance = (t - t.mean(0, true)).pow(2).sum().item<double>();
    return variance > 0 ? residual / variance : (residual > 0 ? 1.0 : 0.0);
}

std::vector<float> errorPerToken(const at::Tensor& target, const at::Tensor& reconstruction)
{
    const auto t = asDouble2d(target);
    const auto r = asDouble2d(reconstruction.to(target.device()));
    const double meanVariance = (t - t.mean(0, true)).pow(2).sum(1).mean().item<double>();
    const auto perToken = (t - r).pow(2).sum(1) / (meanVariance > 0 ? meanVariance : 1.0);
    return toFloatVector(perToken);
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
    Fidelity report;
    report.fvu = fractionOfVarianceUnexplained(target, reconstruction);
    report.errorPerToken = errorPerToken(target, reconstruction);
    report.l0PerToken = l0PerToken(featureActs);
    double total = 0;
    for (const auto value : report.l0PerToken)
        total += value;
    report.meanL0 = report.l0PerToken.empty() ? 0.0 : total / static_cast<double>(report.l0PerToken.size());
    return report;
}

std::vector<float> l0PerToken(const at::Tensor& featureActs)
{
    return toFloatVector((featureActs != 0).sum(-1));
}

} // namespace lorsa
