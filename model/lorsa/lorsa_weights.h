#pragma once
// The parameters of a Lorsa layer read from either checkpoint generation, validated against
// the config and normalised to one layout: Language-Model-SAEs names and shapes, float64 on
// the CPU so that folding the dataset norms loses nothing before the cast to the run dtype.

#include "model/lorsa/lorsa_config.h"

#include <ATen/ATen.h>

namespace lorsa {

struct LorsaWeights {
    at::Tensor wQ;             // [n_qk,d,d_qk]
    at::Tensor wK;             // [n_qk,d,d_qk]
    at::Tensor bQ;             // [n_qk,d_qk]
    at::Tensor bK;             // [n_qk,d_qk]
    at::Tensor wV;             // [n_ov,d]
    at::Tensor wO;             // [n_ov,d]
    at::Tensor bV;             // [n_ov]
    at::Tensor bD;             // [d]; zeros without a decoder bias
    at::Tensor logThreshold;   // [n_ov] JumpReLU only
    at::Tensor lnQ;            // [n_qk,d_qk] post-QK RMS norm only
    at::Tensor lnK;            // [n_qk,d_qk]
    at::Tensor rotarySin;      // [n_ctx,rotary_dim] stored tables (upstream's buffers win over the config), or undefined
    at::Tensor rotaryCos;      // [n_ctx,rotary_dim]
    int64_t parameterCount = 0;  ///< stored parameters (not buffers, not norms)
};

/// Reads config.weightsFile; fills config.averageNormIn/Out from the file's
/// dataset_average_activation_norm scalars when present. As Language-Model-SAEs'
/// load_full_state_dict, a file that stores fewer QK heads than n_qk_heads (a divisor of it) has
/// W_Q, W_K, b_Q, b_K (and ln_q.w, ln_k.w) repeated head by head (repeat_interleave); stored
/// rotary_sin / rotary_cos buffers replace the computed tables; mask and IGNORE are not needed. Throws Error(InvalidFile) on missing or
/// misshapen tensors, non-float dtypes and NaN/Inf values; Error(InvalidConfig) when
/// dataset-wise norms are needed and absent.
LorsaWeights loadLorsaWeights(LorsaConfig& config);

} // namespace lorsa
