#pragma once
/// \file
/// The Lorsa decoder read sparsely: only the W_O rows of each token's active heads. Engine-internal.

#include <ATen/ATen.h>

namespace lorsa {

/// sum_j acts[n,j] * wO[heads[n,j]] + bD for every token n, without a dense [N,n_ov] product or a
/// host synchronisation: heads and acts are [...,k] (k active heads per token, as a top-k
/// activation gives them), wO [n_ov,d], bD [d]; returns [...,d] in wO's dtype. One
/// embedding_bag (sum mode, per-sample weights), whose CUDA kernel accumulates half-precision rows
/// in float32.
at::Tensor decodeActiveHeads(const at::Tensor& heads, const at::Tensor& acts, const at::Tensor& wO, const at::Tensor& bD);

} // namespace lorsa
