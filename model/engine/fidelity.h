#pragma once
/// \file
/// How faithfully a Lorsa layer stands in for the attention it replaces.

#include <ATen/ATen.h>

#include <vector>

namespace lorsa {

struct FidelityReport {
    double fvu = 0;                    ///< sum|target - recon|^2 / sum|target - mean target|^2
    double meanL0 = 0;
    double cleanLoss = 0;              ///< mean next-token cross-entropy (nats)
    double splicedLoss = 0;            ///< with the reconstruction replacing hook_attn_out
    std::vector<float> l0PerToken;     // (B*T) flattened batch-major
    std::vector<float> errorPerToken;  // (B*T) |target - recon|^2 / mean over tokens of |target - mean|^2
};

/// Fraction of variance unexplained over all tokens of target, recon [B,T,d] (computed in float64).
double fractionOfVarianceUnexplained(const at::Tensor& target, const at::Tensor& reconstruction);

/// Per-token squared error normalised by the target's mean per-token variance: [B*T].
std::vector<float> errorPerToken(const at::Tensor& target, const at::Tensor& reconstruction);

/// Mean next-token cross-entropy of logits [B,T,V] against tokens [B,T] (positions 0..T-2).
double nextTokenLoss(const at::Tensor& logits, const at::Tensor& tokens);

/// -log softmax(predictions)[target] per position, computed in float32: predictions [...,V],
/// targets [...] (int64); float64 on the CPU.
at::Tensor nextTokenNll(const at::Tensor& predictions, const at::Tensor& targets);

/// The reconstruction half of a report (FVU, per-token error, L0, mean L0) of target,
/// reconstruction [B,T,d] and featureActs [B,T,n]; the losses are left at 0.
FidelityReport reconstructionFidelity(const at::Tensor& target, const at::Tensor& reconstruction, const at::Tensor& featureActs);

/// Number of nonzero activations per token of acts [B,T,n]: [B*T].
std::vector<float> l0PerToken(const at::Tensor& featureActs);

} // namespace lorsa
