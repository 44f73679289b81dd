#pragma once
/// \file
/// A small causal transformer in the Hugging Face gpt2 or gpt_neox layout, held as plain
/// autograd tensors, so that what the trainer optimises is exactly what it saves and
/// Transformer::load reads back. Engine-internal.

#include "model/transformer/model_config.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace lorsa {

/// Shape of the model to train.
struct LanguageModelShape {
    /// Gpt2 (learned absolute positions, sequential residual) or GptNeox (rotary, parallel
    /// residual). With absolute positions a previous-token head forms early, and with it the
    /// induction head; small rotary models trained here did not grow one in 18M tokens.
    Architecture architecture = Architecture::Gpt2;
    int64_t vocabSize = 4096;
    int64_t dModel = 128;
    int64_t nLayers = 2;
    int64_t nHeads = 4;
    int64_t dMlp = 512;
    int64_t nCtx = 128;
    double rotaryPct = 0.25;     ///< gpt_neox only
    double rotaryBase = 10000.0; ///< gpt_neox only
    int64_t endOfTextId = 0;     ///< bos_token_id and eos_token_id of the saved config
};

/// "gpt2" or "gpt_neox" to the architecture; throws Error(InvalidInput) for anything else.
Architecture trainableArchitecture(const std::string& modelType);

class LanguageModel {
public:
    /// Initialises token embeddings with normal(0.02), position embeddings with normal(0.01),
    /// projections with normal(1/sqrt(fan_in)) (output projections also scaled by
    /// 1/sqrt(2 n_layers)), zero biases and unit norms, from \p seed, on \p device in float32.
    /// Throws Error(InvalidConfig) for sizes that do not fit (d_model not a multiple of heads, ...).
    LanguageModel(const LanguageModelShape& shape, uint64_t seed, at::Device device);

    /// tokens: int64 [B,T], T <= n_ctx. Returns logits [B,T,V] (differentiable).
    at::Tensor forward(const at::Tensor& tokens) const;

    /// Mean next-token cross-entropy of tokens [B,T] (predicting t+1 from <= t).
    at::Tensor loss(const at::Tensor& tokens) const;

    /// Replaces every parameter by the one saved in \p modelDir/model.safetensors by a model of
    /// the same shape, except that a gpt2 model may have more positions than the saved one
    /// (to train on at longer rows): the saved positions are copied and each new position p
    /// repeats a learned one, h + (p - h) mod (n - h) for n learned and h = n / 2. Throws
    /// Error(InvalidFile) naming the first tensor that is missing or whose shape differs.
    void continueFrom(const std::filesystem::path& modelDir);

    std::vector<at::Tensor> parameters() const;
    int64_t parameterCount() const;
    const LanguageModelShape& shape() const { return m_shape; }
    /// The config Transformer::load would read for this model.
    const ModelConfig& config() const { return m_config; }

    /// Writes config.json and model.safetensors (float32) into \p dir, each atomically,
    /// weights first, so a reader never sees a config without its weights.
    void save(const std::filesystem::path& dir) const;

private:
    /// Parameters in nn.Linear orientation ([out, in]); saving transposes gpt2's Conv1D ones.
    struct Block {
        at::Tensor ln1Weight, ln1Bias;  // [d]
        at::Tensor ln2Weight, ln2Bias;  // [d]
        /// [3d, d]; rows (h*3 + {q,k,v})*dh + j for gpt_neox, ({q,k,v}*H + h)*dh + j for gpt2
        at::Tensor qkvWeight;
        at::Tensor qkvBias;             // [3d]
        at::Tensor outWeight;           // [d, d]
        at::Tensor outBias;             // [d]
        at::Tensor mlpInWeight;         // [d_mlp, d]
        at::Tensor mlpInBias;           // [d_mlp]
        at::Tensor mlpOutWeight;        // [d, d_mlp]
        at::Tensor mlpOutBias;          // [d]
    };
    bool isGpt2() const { return m_shape.architecture == Architecture::Gpt2; }
    at::Tensor attention(const Block& b, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const;
    at::Tensor mlp(const Block& b, const at::Tensor& x) const;
    /// Trained tensors under their Hugging Face names, as held (nn.Linear orientation).
    std::vector<std::pair<std::string, at::Tensor>> named() const;
    /// The tensors as model.safetensors stores them (gpt2's Conv1D weights transposed).
    std::vector<std::pair<std::string, at::Tensor>> savedTensors() const;
    std::string configJson() const;

    LanguageModelShape m_shape;
    ModelConfig m_config;
    at::Tensor m_tokenEmbedding;     // [V, d]
    at::Tensor m_positionEmbedding;  // [n_ctx, d], gpt2 only
    std::vector<Block> m_blocks;
    at::Tensor m_finalWeight, m_finalBias;  // [d]
    at::Tensor m_unembedding;        // [V, d]
};

} // namespace lorsa
