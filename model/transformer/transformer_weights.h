#pragma once
/// \file
/// The weights of a gpt2 / gpt_neox / llama model in one architecture-neutral layout that makes
/// the forward plain matmuls (y = x W + b with W stored [in, out]). Engine-internal.

#include "model/transformer/model_config.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <functional>
#include <vector>

namespace lorsa {

/// A norm's affine part. bias is undefined for RMSNorm.
struct NormWeights {
    at::Tensor weight;  // [d]
    at::Tensor bias;    // [d] or undefined
};

struct BlockWeights {
    NormWeights ln1, ln2;
    at::Tensor wQ, wK, wV;  // [d, H*dh], [d, H_kv*dh], [d, H_kv*dh]
    at::Tensor bQ, bK, bV;  // [H*dh], [H_kv*dh], [H_kv*dh] or undefined without attention bias
    at::Tensor wO;          // [H*dh, d], rows head-major
    at::Tensor bO;          // [d] or undefined
    at::Tensor qNorm;       // [dh] Qwen3 per-head RMSNorm weight on queries, undefined otherwise
    at::Tensor kNorm;       // [dh] the same on keys
    at::Tensor wIn;         // [d, d_mlp]  (llama: up_proj)
    at::Tensor bIn;         // [d_mlp] or undefined
    at::Tensor wGate;       // [d, d_mlp]  llama gate_proj, undefined otherwise
    at::Tensor bGate;       // [d_mlp] or undefined
    at::Tensor wOut;        // [d_mlp, d]
    at::Tensor bOut;        // [d] or undefined
};

struct TransformerWeights {
    at::Tensor tokenEmbedding;     // [V, d]
    at::Tensor positionEmbedding;  // [n_ctx, d] gpt2 only, undefined otherwise
    std::vector<BlockWeights> blocks;
    NormWeights lnFinal;
    at::Tensor unembedding;        // [d, V]
    int64_t parameterCount = 0;    // distinct stored parameters (a tied unembedding counts once)
};

/// Reads `model.safetensors` or `model.safetensors.index.json` from \p dir, checks every expected
/// tensor (presence, shape, finite values) and converts it to \p device / \p dtype.
/// One exception keeps memory at the file's size: a float32 run on the CPU keeps bfloat16 and
/// float16 weights as they are stored (aliasing the memory-mapped file, matrices as transposed
/// views), and the forward converts each weight when it uses it (weightAs()).
TransformerWeights loadTransformerWeights(const std::filesystem::path& dir, const ModelConfig& config, at::Device device,
                                          at::ScalarType dtype, const std::function<void(double)>& progress);

/// The floating-point dtype that holds most of the weights in \p dir's checkpoint (by element
/// count, read from the file headers alone): bfloat16, float16 or float32 (also for float64).
at::ScalarType storedWeightDtype(const std::filesystem::path& dir);

/// \p weight in \p dtype: itself when it already is, else a converted temporary.
inline at::Tensor weightAs(const at::Tensor& weight, at::ScalarType dtype)
{
    return !weight.defined() || weight.scalar_type() == dtype ? weight : weight.to(dtype);
}

} // namespace lorsa
