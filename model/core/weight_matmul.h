#pragma once
/// \file
/// x times a weight matrix the way that is fastest for how many rows x has: a keystroke's one or
/// two new tokens are matrix-vector products, not the GEMM that a whole prompt is.

#include <ATen/ATen.h>

#include <cstdint>

namespace lorsa {

/// How much of a kept weight matmulWeight() converts at a time: it stays in the cache for the
/// products that read it.
inline constexpr int64_t kConvertedBlockBytes = int64_t(4) << 20;

/// Up to how many rows of x matmulWeight() multiplies in float32 or float64 on the CPU one
/// matrix-vector product per row: OpenBLAS's GEMM packs the whole weight even for a few rows,
/// which makes it 2-3.5x slower than a product per row at 1-4 rows (equal at 8, 2-5x faster from
/// 16).
inline constexpr int64_t kRowByRowMax = 4;

/// Up to how many rows of x matmulWeight() converts a weight kept in another dtype block by
/// block on the CPU. With more, the GEMM is bound by arithmetic, converting the whole matrix once
/// costs little beside it, and blocks would make the GEMM pack x again for every block (15%
/// slower at 128 rows).
inline constexpr int64_t kBlockedRowsMax = 16;

/// x [..., in] times \p weight [in, out], plus \p bias [out] when it is defined, in x's dtype
/// (\p weight and \p bias may be in another). A weight kept in another dtype (a
/// half-precision checkpoint in a float32 CPU run) multiplying a few rows is converted
/// \p blockBytes of columns at a time and each block multiplied while it is in the cache: no
/// float32 copy of the whole matrix is written, faulted in and read back (the tied unembedding of
/// Qwen3-1.7B alone would be 1.2 GB per step).
at::Tensor matmulWeight(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias = {},
                        int64_t blockBytes = kConvertedBlockBytes);

} // namespace lorsa
