#pragma once
/// \file
/// How faithfully a Lorsa layer stands in for the attention it replaces.

#include "model/engine/analysis.h"

#include <ATen/ATen.h>

#include <vector>

namespace lorsa {

/// Fraction of variance unexplained over all tokens of target, recon [B,T,d] (computed in float64).
double fractionOfVarianceUnexplained(const at::Tensor& target, const at::Tensor& reconstruction);

/// Per-token squared error normalised by the target's mean per-token variance: [B*T].
std::vector<float> errorPerToken(const at::Tensor& target, const at::Tensor& reconstruction);

/// Mean next-token cross-entropy of logits [B,T,V] against tokens [B,T] (positions 0..T-2).
double nextTokenLoss(const at::Tensor& logits, const at::Tensor& tokens);

/// -log softmax(predictions)[target] per position, computed in float32: predictions [...,V],
/// targets [...] (int64); float64 on the CPU.
at::Tensor nextTokenNll(const at::Tensor& predictions, const at::Tensor& targets);

/// The reconstruction half of a Fidelity (FVU, per-token error, L0, mean L0) of target,
/// reconstruction [B,T,d] and featureActs [B,T,n]; the losses are left at 0.
Fidelity reconstructionFidelity(const at::Tensor& target, const at::Tensor& reconstruction, const at::Tensor& featureActs);

/// Number of nonzero activations per token of acts [B,T,n]: [B*T].
std::vector<float> l0PerToken(const at::Tensor& featureActs);

} // namespace lorsa
