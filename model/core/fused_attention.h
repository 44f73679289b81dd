#pragma once
/// \file
/// Causal softmax attention of many heads in one call: the model's attention layers and the
/// Lorsa's QK heads (each QK head with its OV group as one head whose value width is the group
/// size) both reduce to it when no attention pattern is asked for.

#include <ATen/ATen.h>

namespace lorsa {

/// softmax(causal(q k^T * scale)) v, per head:
///   q [B,H,T,D], k [B,Hkv,S,D], v [B,Hkv,S,G] -> [B,H,T,G] in q's dtype,
/// where H is a multiple of Hkv (query head h reads key/value head h / (H / Hkv)) and the T
/// queries are the last T of the S key positions (earlier keys come from a cache).
/// With LibTorch's scaled_dot_product_attention (hasFusedAttention()) the probabilities are never
/// materialised and the kernel (flash, memory-efficient, cuDNN, or the math fallback) is LibTorch's
/// choice for the device, dtype and widths; otherwise the scores are computed in float32 (float64
/// for float64 inputs) as one masked [B,H,T,S] product, which is what the tests on Debian's
/// LibTorch 1.13 check against a plain softmax.
at::Tensor fusedCausalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale);

/// Whether this build's LibTorch has the fused kernels (2.5 or later; cmake/TorchFeatures.cmake).
bool hasFusedAttention();

/// Whether attention that needs no pattern runs through fusedCausalAttention on \p device: on an
/// accelerator with the fused kernels. A CPU keeps its cache-blocked paths, which beat LibTorch's
/// math fallback there.
bool fusedAttentionOn(at::Device device);

} // namespace lorsa
