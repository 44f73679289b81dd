#pragma once
// Rotary position embedding exactly as Language-Model-SAEs' Lorsa builds it (TransformerLens'
// recipe): sin/cos tables computed in float32 (float64 for float64 weights), GPT-J adjacent
// pairs or NeoX halves, optional Llama-3.1 NTK-by-parts frequencies, rotary_scale repeats.

#include "model/lorsa/lorsa_config.h"

#include <ATen/ATen.h>

namespace lorsa {

class RotaryEmbedding {
public:
    RotaryEmbedding() = default;
    RotaryEmbedding(const LorsaConfig& config, at::Device device, at::ScalarType dtype);
    /// The same with the checkpoint's own tables [n_ctx, rotary_dim] (upstream's buffers).
    RotaryEmbedding(const LorsaConfig& config, const at::Tensor& sin, const at::Tensor& cos, at::Device device, at::ScalarType dtype);

    /// x: [B,T,H,d_qk] -> [B,T,H,d_qk*rotary_scale], positions first..first+T-1 (<= n_ctx).
    at::Tensor apply(const at::Tensor& x, int64_t firstPosition = 0) const;

private:
    /// Upstream's rotate-every-two maps each pair (a, b) to (-b, a); this swaps it to (b, a) and
    /// m_signedSin carries the minus, so that x cos + swap(x) signedSin is three passes over x.
    at::Tensor swapPairs(const at::Tensor& x) const;
    void foldSignIntoSin();

    int64_t m_dim = 0;
    int64_t m_scale = 1;
    bool m_adjacent = true;
    at::Tensor m_signedSin;  // [n_ctx, rotary_dim]: sin, negated where the pair's partner is negated
    at::Tensor m_cos;        // [n_ctx, rotary_dim]
};

} // namespace lorsa
