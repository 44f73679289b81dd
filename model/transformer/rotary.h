#pragma once
/// \file
/// Rotary position embeddings in the rotate-half (GPT-NeoX / Hugging Face Llama) convention,
/// with Llama-3.1's NTK-by-parts frequency adjustment. Engine-internal.

#include "model/transformer/model_config.h"

#include <ATen/ATen.h>

namespace lorsa {

/// cos and sin tables for positions first..first+T-1, each [T, rotaryDim] (frequencies repeated for the two
/// halves), computed in float64 and returned in \p dtype on \p device.
struct RotaryTables {
    at::Tensor cos;  // [T, r]
    at::Tensor sin;  // [T, r]
};

/// The inverse frequencies [r/2] as transformers computes them (float64), llama3-adjusted when
/// the config asks for it.
at::Tensor rotaryInverseFrequencies(const ModelConfig& config);

RotaryTables rotaryTables(const ModelConfig& config, int64_t positions, at::Device device, at::ScalarType dtype,
                          int64_t firstPosition = 0);

/// Rotates the first r = tables.cos.size(1) dims of x [B,T,H,dh]; the rest pass through.
at::Tensor applyRotary(const at::Tensor& x, const RotaryTables& tables);

} // namespace lorsa
