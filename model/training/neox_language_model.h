#pragma once
/// \file
/// A small causal transformer in the Hugging Face gpt_neox layout, held as plain autograd
/// tensors under their Hugging Face names so that what the trainer optimises is exactly what
/// it saves and Transformer::load reads back. Engine-internal.

#include "model/transformer/model_config.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace lorsa {

/// Shape of the model to train.
struct NeoxShape {
    int64_t vocabSize = 4096;
    int64_t dModel = 128;
    int64_t nLayers = 2;
    int64_t nHeads = 4;
    int64_t dMlp = 512;
    int64_t nCtx = 128;
    double rotaryPct = 0.25;
    double rotaryBase = 10000.0;
    int64_t endOfTextId = 0;  ///< bos_token_id and eos_token_id of the saved config
};

class NeoxLanguageModel {
public:
    /// Initialises embeddings with normal(0.02), projections with normal(1/sqrt(fan_in)) (output
    /// projections also scaled by 1/sqrt(2 n_layers)), zero biases and unit norms, from \p seed, on \p device in float32. Throws
    /// Error(InvalidConfig) for sizes that do not fit (d_model not a multiple of heads, ...).
    NeoxLanguageModel(const NeoxShape& shape, uint64_t seed, at::Device device);

    /// tokens: int64 [B,T], T <= n_ctx. Returns logits [B,T,V] (differentiable).
    at::Tensor forward(const at::Tensor& tokens) const;

    /// Mean next-token cross-entropy of tokens [B,T] (predicting t+1 from <= t).
    at::Tensor loss(const at::Tensor& tokens) const;

    std::vector<at::Tensor> parameters() const;
    int64_t parameterCount() const;
    const NeoxShape& shape() const { return m_shape; }
    /// The config Transformer::load would read for this model.
    const ModelConfig& config() const { return m_config; }

    /// Writes config.json and model.safetensors (float32) into \p dir, each atomically,
    /// weights first, so a reader never sees a config without its weights.
    void save(const std::filesystem::path& dir) const;

private:
    struct Block {
        at::Tensor ln1Weight, ln1Bias;  // [d]
        at::Tensor ln2Weight, ln2Bias;  // [d]
        at::Tensor qkvWeight;           // [3d, d], rows (h*3 + {q,k,v})*dh + j
        at::Tensor qkvBias;             // [3d]
        at::Tensor denseWeight;         // [d, d]
        at::Tensor denseBias;           // [d]
        at::Tensor mlpInWeight;         // [d_mlp, d]
        at::Tensor mlpInBias;           // [d_mlp]
        at::Tensor mlpOutWeight;        // [d, d_mlp]
        at::Tensor mlpOutBias;          // [d]
    };
    at::Tensor attention(const Block& b, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const;
    std::vector<std::pair<std::string, at::Tensor>> named() const;

    NeoxShape m_shape;
    ModelConfig m_config;
    at::Tensor m_embedIn;     // [V, d]
    std::vector<Block> m_blocks;
    at::Tensor m_finalWeight, m_finalBias;  // [d]
    at::Tensor m_embedOut;    // [V, d]
};

} // namespace lorsa
