#pragma once
/// \file
/// A Lorsa layer's configuration, read from either checkpoint generation:
///  - Language-Model-SAEs folders (config.json with sae_type "lorsa" + sae_weights.safetensors)
///  - the paper's original release (config.json + final.pth), see FORMATS.md.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace lorsa {

enum class LorsaFormat { LanguageModelSaes, OriginalRelease };
enum class LorsaActivation { TopK, JumpRelu, Relu };

struct LorsaConfig {
    LorsaFormat format = LorsaFormat::LanguageModelSaes;
    std::filesystem::path weightsFile;
    std::string name;                 ///< folder name, for display
    int64_t dModel = 0;
    int64_t nOvHeads = 0;
    int64_t nQkHeads = 0;
    int64_t dQkHead = 0;
    int64_t layer = 0;                ///< parsed from hook_point_in / "layer"
    std::string hookPointIn;          ///< "blocks.L.ln1.hook_normalized"
    std::string hookPointOut;         ///< "blocks.L.hook_attn_out"
    int64_t nCtx = 0;
    LorsaActivation activation = LorsaActivation::TopK;
    int64_t topK = 0;
    bool useDecoderBias = true;
    bool sparsityIncludeDecoderNorm = true;
    bool rankByAbsolute = false;      ///< original format without use_z_relu: rank |z|
    std::string normActivation = "dataset-wise";  ///< or "inference"
    std::optional<double> averageNormIn;          ///< dataset-wise norms (N_in, N_out)
    std::optional<double> averageNormOut;
    /// The input convention `lorsa train` records in the weights' metadata ("normalized" or
    /// "affine"); empty for checkpoints that do not say (Language-Model-SAEs ignores the key).
    std::string recordedInput;
    bool rotary = false;
    int64_t rotaryDim = 0;
    double rotaryBase = 10000.0;
    bool rotaryAdjacentPairs = true;  ///< GPT-J pairs (2i,2i+1); false: NeoX (i, i+rotaryDim/2)
    double rotaryScale = 1.0;
    bool useNtkByPartsRope = false;
    double ntkFactor = 1.0;
    double ntkLowFreqFactor = 1.0;
    double ntkHighFreqFactor = 4.0;
    int64_t oldContextLength = 0;
    double attnScale = 0;
    bool usePostQkLn = false;
    double eps = 1e-6;
};

/// Reads `dir/config.json` (either generation) and validates sizes (positive, n_ov divisible
/// by n_qk, hook points naming one layer). Throws Error(InvalidConfig / InvalidFile).
LorsaConfig loadLorsaConfig(const std::filesystem::path& dir);

} // namespace lorsa
