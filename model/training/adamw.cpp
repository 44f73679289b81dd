#include "model/training/adamw.h"

#include <c10/core/GradMode.h>
#include <cmath>

namespace lorsa {

AdamW::AdamW(std::vector<at::Tensor> parameters, const AdamWOptions& options)
    : m_parameters(std::move(parameters)), m_options(options)
{
    for (const auto& p : m_parameters) {
        m_firstMoment.push_back(at::zeros_like(p));
        m_secondMoment.push_back(at::zeros_like(p));
    }
}

void AdamW::step(double lr)
{
    c10::NoGradGuard noGrad;
    ++m_step;
    const double correction1 = 1.0 - std::pow(m_options.beta1, double(m_step));
    const double correction2 = 1.0 - std::pow(m_options.beta2, double(m_step));
    for (size_t i = 0; i < m_parameters.size(); ++i) {
        auto& p = m_parameters[i];
        const auto& grad = p.grad();
        if (!grad.defined())
            continue;
        if (p.dim() >= 2 && m_options.weightDecay > 0)
            p.mul_(1.0 - lr * m_options.weightDecay);
        m_firstMoment[i].mul_(m_options.beta1).add_(grad, 1.0 - m_options.beta1);
        m_secondMoment[i].mul_(m_options.beta2).addcmul_(grad, grad, 1.0 - m_options.beta2);
        const auto denominator = (m_secondMoment[i] / correction2).sqrt_().add_(m_options.eps);
        p.addcdiv_(m_firstMoment[i], denominator, -lr / correction1);
    }
}

void AdamW::zeroGrad()
{
    for (auto& p : m_parameters)
        if (p.grad().defined())
            p.mutable_grad().zero_();
}

double clipGradientNorm(const std::vector<at::Tensor>& parameters, double maxNorm)
{
    c10::NoGradGuard noGrad;
    double squared = 0.0;
    for (const auto& p : parameters)
        if (p.grad().defined())
            squared += p.grad().to(at::kDouble).pow(2).sum().item<double>();
    const double norm = std::sqrt(squared);
    if (!std::isfinite(norm))
        return norm;
    if (norm > maxNorm && maxNorm > 0)
        for (const auto& p : parameters)
            if (p.grad().defined())
                p.grad().mul_(maxNorm / (norm + 1e-6));
    return norm;
}

} // namespace lorsa
