#pragma once
/// \file
/// The Lorsa decoder read sparsely: only the W_O rows of each token's active heads. Engine-internal.

#include <ATen/ATen.h>

namespace lorsa {

/// sum_j acts[n,j] * wO[heads[n,j]] + bD for every token n, without a dense [N,n_ov] product or a
/// host synchronisation: heads and acts are [...,k] (k active heads per token, as a top-k
/// activation gives them), wO [n_ov,d], bD [d]; returns [...,d] in wO's dtype. One
/// embedding_bag (sum mode, per-sample weights), whose CUDA kernel accumulates half-precision rows
/// in float32. Debian's LibTorch 1.13 has no half-precision embedding_bag on the CPU: use
/// decodeNonzeroHeads there.
at::Tensor decodeActiveHeads(const at::Tensor& heads, const at::Tensor& acts, const at::Tensor& wO, const at::Tensor& bD);

/// featureActs W_O + b_D for activations [...,n_ov] that are mostly zero, reading only the W_O rows
/// of nonzero ones and summing in float32 (float64 for float64 weights) whatever wO's dtype;
/// returns [...,d] in wO's dtype. Counts the nonzeros on the host: meant for the CPU.
at::Tensor decodeNonzeroHeads(const at::Tensor& featureActs, const at::Tensor& wO, const at::Tensor& bD);

} // namespace lorsa
