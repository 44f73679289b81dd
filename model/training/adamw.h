#pragma once
/// \file
/// AdamW (decoupled weight decay, Loshchilov & Hutter) over plain autograd tensors, with global
/// gradient-norm clipping: the optimiser of the language-model trainer. Engine-internal.

#include <ATen/ATen.h>

#include <vector>

namespace lorsa {

struct AdamWOptions {
    double beta1 = 0.9;
    double beta2 = 0.95;
    double eps = 1e-8;
    double weightDecay = 0.1;  ///< applied to matrices (dim >= 2) only, never to norms and biases
};

class AdamW {
public:
    AdamW(std::vector<at::Tensor> parameters, const AdamWOptions& options);

    /// One update with learning rate \p lr from the parameters' current .grad(), as
    /// torch.optim.AdamW computes it (bias-corrected moments). Parameters without a gradient
    /// are skipped.
    void step(double lr);
    /// Clears every parameter's gradient.
    void zeroGrad();

    int64_t steps() const { return m_step; }

private:
    std::vector<at::Tensor> m_parameters;
    std::vector<at::Tensor> m_firstMoment;   // each shaped like its parameter
    std::vector<at::Tensor> m_secondMoment;  // each shaped like its parameter
    AdamWOptions m_options;
    int64_t m_step = 0;
};

/// Scales all gradients so that their joint L2 norm is at most \p maxNorm; returns the norm
/// before clipping (as torch.nn.utils.clip_grad_norm_). A non-finite norm is returned as is and
/// the gradients are left alone, so the caller can skip the step.
double clipGradientNorm(const std::vector<at::Tensor>& parameters, double maxNorm);

} // namespace lorsa
