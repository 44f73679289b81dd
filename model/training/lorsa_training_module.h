#pragma once
/// \file
/// The trainable Lorsa: Language-Model-SAEs' parameters (W_Q, W_K, b_Q, b_K, W_V, b_V, W_O, b_D)
/// acting on the dataset-wise normalised input, with a forward equal to LorsaLayer's on the
/// saved checkpoint, its initialisation (random or from the model's own heads) and Adam.
/// Engine-internal (ATen).

#include "model/lorsa/lorsa_config.h"
#include "model/lorsa/rotary_embedding.h"

#include <ATen/ATen.h>

#include <string>
#include <utility>
#include <vector>

namespace lorsa {

struct BlockWeights;
struct ModelConfig;

/// One training forward's tensors, all in normalised units (x * sqrt(d) / N).
struct LorsaTrainingForward {
    at::Tensor hiddenPre;      // [B,T,n_ov]
    at::Tensor featureActs;    // [B,T,n_ov] top-k kept, the rest zero
    at::Tensor reconstructed;  // [B,T,d]
};

class LorsaTrainingModule {
public:
    /// Allocates zero parameters of the sizes in \p config on \p device (float32).
    LorsaTrainingModule(const LorsaConfig& config, at::Device device);

    const LorsaConfig& config() const { return m_config; }
    /// Parameters in Language-Model-SAEs' order and names; each requires grad.
    std::vector<std::pair<std::string, at::Tensor>> parameters() const;
    /// Replaces the parameter \p name by \p value (same shape; copied, float32).
    void setParameter(const std::string& name, const at::Tensor& value);

    /// Language-Model-SAEs' init_parameters: xavier-uniform W_Q, W_K; W_V ~ U(+-1/sqrt(n_ov));
    /// W_O ~ U(+-1/sqrt(d)); zero biases.
    void initRandom(uint64_t seed);
    /// QK head j copies MHSA head j / (n_qk / n_heads) of \p block (its key/value group under
    /// grouped-query attention) through the folded ln1 weight and bias, scaled by
    /// N_in / sqrt(d) because the module reads the dataset-wise normalised input. Requires
    /// d_qk_head = d_head and n_qk a multiple of n_heads (Error(InvalidInput) otherwise).
    void initQkFromModel(const BlockWeights& block, const ModelConfig& model);

    /// x: normalised input [B,T,d]; keeps the top \p k of hidden_pre * |W_O| per token.
    LorsaTrainingForward forward(const at::Tensor& x, int64_t k) const;

private:
    LorsaConfig m_config;
    at::Device m_device;
    RotaryEmbedding m_rotary;
    at::Tensor m_wQ, m_wK;  // [n_qk,d,d_qk]
    at::Tensor m_bQ, m_bK;  // [n_qk,d_qk]
    at::Tensor m_wV, m_wO;  // [n_ov,d]
    at::Tensor m_bV;        // [n_ov]
    at::Tensor m_bD;        // [d]
};

/// Adam as torch.optim.Adam computes it (bias-corrected, eps outside the square root), with its
/// moments exposed so that a checkpoint can hold them exactly.
class AdamState {
public:
    AdamState() = default;
    AdamState(const std::vector<std::pair<std::string, at::Tensor>>& parameters, double beta1, double beta2);

    /// One update with learning rate \p lr from the parameters' .grad().
    void step(const std::vector<std::pair<std::string, at::Tensor>>& parameters, double lr);
    int64_t steps() const { return m_steps; }
    void setSteps(int64_t steps) { m_steps = steps; }
    /// "adam_m.<name>" and "adam_v.<name>" tensors for a checkpoint, and back.
    std::vector<std::pair<std::string, at::Tensor>> moments() const;
    void setMoment(const std::string& name, const at::Tensor& value);

private:
    double m_beta1 = 0.9, m_beta2 = 0.999, m_eps = 1e-8;
    int64_t m_steps = 0;
    std::vector<std::pair<std::string, at::Tensor>> m_first, m_second;
};

/// Scales all gradients so that their joint L2 norm is at most \p maxNorm (torch's
/// clip_grad_norm_); returns the norm before clipping. maxNorm 0: no clipping.
double clipGradientNorm(const std::vector<std::pair<std::string, at::Tensor>>& parameters, double maxNorm);

} // namespace lorsa
