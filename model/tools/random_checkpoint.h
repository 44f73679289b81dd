#pragma once
/// \file
/// Random-weight checkpoints in the real file formats, of a real model's exact shape, so that
/// speed and memory can be measured (`lorsa bench`) without downloading weights.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lorsa {

/// Shape of a model to generate; presets by name via randomModelPreset().
struct RandomModelSpec {
    std::string modelType = "gpt_neox";   ///< gpt_neox | llama | qwen3
    int64_t dModel = 768;
    int64_t nLayers = 12;
    int64_t nHeads = 12;
    int64_t nKvHeads = 12;
    int64_t dMlp = 3072;
    int64_t vocabSize = 50304;
    int64_t nCtx = 2048;
    double rotaryPct = 0.25;
    int64_t headDim = 0;                  ///< 0: d_model / n_heads (qwen3 states it explicitly)
    double ropeTheta = 500000.0;          ///< llama / qwen3
    bool tiedEmbeddings = false;
    std::string dtype = "float32";        ///< float32 | bfloat16: how the weights are stored
    uint64_t seed = 0;
};

/// "pythia-160m", "pythia-70m", "llama-3.1-8b" (all 32 layers: large!), "llama-3.1-8b-1layer",
/// "qwen3-1.7b" (Qwen/Qwen3-1.7B's config, bfloat16 weights as published).
/// Throws Error(InvalidInput) listing the presets for an unknown name.
RandomModelSpec randomModelPreset(const std::string& name);
std::vector<std::string> randomModelPresetNames();

/// Writes config.json, model.safetensors and a byte-level tokenizer.json into \p dir.
void writeRandomModel(const std::filesystem::path& dir, const RandomModelSpec& spec);

struct RandomLorsaSpec {
    int64_t layer = 0;
    double expansionFactor = 8;           ///< n_ov = d_model * expansion
    int64_t nQkHeads = 0;                 ///< 0: n_heads * expansion (as Language-Model-SAEs recommends)
    int64_t dQkHead = 64;
    int64_t topK = 64;
    bool postQkNorm = false;              ///< use_post_qk_ln with RMS ln_q.w / ln_k.w (as Llama-Scope-2)
    uint64_t seed = 0;
};

/// Writes a Language-Model-SAEs Lorsa folder (config.json + sae_weights.safetensors) fitting the
/// model in \p modelDir (its d_model, heads, rotary and context).
void writeRandomLorsa(const std::filesystem::path& dir, const std::filesystem::path& modelDir, const RandomLorsaSpec& spec);

} // namespace lorsa
