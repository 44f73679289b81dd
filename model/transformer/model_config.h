#pragma once
/// \file
/// The parts of a Hugging Face `config.json` the engine runs on, for the supported model types.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lorsa {

/// The weight layout and block structure. Llama covers the Llama family of Hugging Face
/// (model_type llama, qwen2, qwen3): same names, differing only in the flags below.
enum class Architecture { Gpt2, GptNeox, Llama };
enum class NormKind { LayerNorm, RmsNorm };

/// Llama-3.1 `rope_scaling` with `rope_type: "llama3"` (NTK-by-parts frequency adjustment).
struct Llama3RopeScaling {
    double factor = 8.0;
    double lowFreqFactor = 1.0;
    double highFreqFactor = 4.0;
    int64_t originalMaxPositionEmbeddings = 8192;
};

struct ModelConfig {
    Architecture architecture = Architecture::Gpt2;
    std::string modelType;          ///< as in config.json: "gpt2", "gpt_neox", "llama", "qwen2", "qwen3"
    std::string name;               ///< the folder's name, for display
    int64_t dModel = 0;
    int64_t nLayers = 0;
    int64_t nHeads = 0;
    int64_t nKvHeads = 0;           ///< == nHeads unless grouped-query attention
    int64_t dHead = 0;
    int64_t dMlp = 0;
    int64_t vocabSize = 0;          ///< rows of the embedding (may exceed the tokenizer's vocab)
    int64_t nCtx = 0;               ///< maximum positions
    NormKind norm = NormKind::LayerNorm;
    double normEps = 1e-5;
    std::string activation;         ///< "gelu_new", "gelu", "silu", ...
    int64_t rotaryDim = 0;          ///< 0: learned absolute positions (GPT-2)
    double ropeTheta = 10000.0;
    std::optional<Llama3RopeScaling> llama3Scaling;
    bool parallelResidual = false;  ///< GPT-NeoX use_parallel_residual
    bool tiedEmbeddings = false;
    bool attentionBias = false;     ///< biases on the q, k, v projections
    bool attentionOutputBias = false; ///< bias on the output projection (Qwen2 has q/k/v biases only)
    bool qkNorm = false;            ///< Qwen3: per-head RMSNorm (weight [d_head]) on q and k before rotary
    bool mlpBias = false;           ///< Llama mlp_bias
    std::optional<int64_t> bosTokenId;
    std::vector<int64_t> eosTokenIds;
};

/// Reads and validates `dir/config.json`. Throws Error(Unsupported) naming the model_type and
/// the supported ones, Error(InvalidConfig) for missing, zero or negative sizes.
ModelConfig loadModelConfig(const std::filesystem::path& dir);

} // namespace lorsa
