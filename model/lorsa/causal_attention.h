#pragma once
/// \file
/// The memory- and cache-bounded core of the Lorsa forward: causal softmax attention of a range of
/// QK heads over the values of their OV groups. Engine-internal.

#include <ATen/ATen.h>

namespace lorsa {

/// Inputs of causalGroupedAttention, all head-major and contiguous in one floating dtype. The T
/// queries are the last T of the S key positions (T == S unless earlier keys come from a cache).
struct CausalAttentionInputs {
    at::Tensor q;      // [B,n_qk,T,d_qk]
    at::Tensor k;      // [B,n_qk,S,d_qk]
    at::Tensor v;      // [B,n_qk,S,g] values of the g OV heads of each QK head
    double scale = 1;  // scores are q.k / scale
};

/// For QK heads [\p first, \p first + \p count) of every sequence writes
/// hidden[b,h] = softmax(causal(q k^T / scale)) v   into \p hidden [B,n_qk,T,g] (same dtype).
/// Rows are done in blocks of queries that only read the keys up to the block's end (about half
/// the work of the full T x T square), one (sequence, head) pair per task across the intra-op
/// threads, so a block's scores stay in that core's cache and BLAS runs single-threaded on it.
/// With \p pattern [B,n_qk,T,S] (any floating dtype) the probabilities are copied there too;
/// entries above the diagonal are not written (the caller zero-fills).
void causalGroupedAttention(const CausalAttentionInputs& in, int64_t first, int64_t count, const at::Tensor& hidden,
                            const at::Tensor& pattern);

/// The same result computed as a few batched kernels over the whole range of heads (full T x T
/// squares, masked): what a GPU wants, where the per-block small products of
/// causalGroupedAttention would each be a kernel launch. Writes the whole pattern rectangle
/// (zeros at future keys).
void causalGroupedAttentionBatched(const CausalAttentionInputs& in, int64_t first, int64_t count, const at::Tensor& hidden,
                                   const at::Tensor& pattern);

} // namespace lorsa
