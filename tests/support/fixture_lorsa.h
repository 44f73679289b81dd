#pragma once
// Tiny random Lorsa checkpoints written in the real formats, for tests of the Lorsa layer and
// of everything built on it (engine, CLI, GUI).
//  - writeTinyLorsa: a Language-Model-SAEs folder (config.json + sae_weights.safetensors).
//  - writeTinyOriginalLorsa: the original release (config.json + final.pth, a real torch.save
//    zip) copied from tests/data/lorsa/, where gen_original_lorsa.py made it with PyTorch.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace lorsa::test {

struct LorsaFixtureOptions {
    int64_t dModel = 16;          ///< must match the model the checkpoint is used with
    int64_t layer = 0;
    int64_t nQkHeads = 2;
    int64_t nOvHeads = 8;         ///< written as expansion_factor = nOvHeads / dModel
    int64_t dQkHead = 4;
    std::string actFn = "topk";   ///< "topk" | "jumprelu" | "relu" (anything else is written as is)
    int64_t topK = 3;
    double jumpReluThreshold = 0.05;  ///< typical threshold (each head's is log-normal around it)
    bool sparsityIncludeDecoderNorm = true;
    bool rotary = true;
    int64_t rotaryDim = 4;
    double rotaryBase = 10000.0;
    bool rotaryAdjacentPairs = true;
    bool ntkByParts = false;      ///< Llama-3.1 style: factor 8, low 1, high 4, old context 16
    bool datasetWise = false;     ///< norm_activation "dataset-wise" with the norms below
    double normIn = 3.0;          ///< dataset_average_activation_norm of hook_point_in
    double normOut = 2.0;         ///< ... of hook_point_out
    bool decoderBias = true;
    bool postQkLn = false;        ///< RMS per-head QK norm (ln_q.w, ln_k.w)
    uint64_t seed = 1;
    int64_t nCtx = 64;
    std::optional<double> attnScale;  ///< default: key absent (sqrt(d_qk_head))
    double weightScale = 1.0;     ///< multiplies W_Q, W_K (sharper or flatter attention)
};

/// Writes a Language-Model-SAEs Lorsa folder at \p dir (created if needed).
void writeTinyLorsa(const std::filesystem::path& dir, const LorsaFixtureOptions& options = {});

/// The committed original-release fixtures under tests/data/lorsa/ (see gen_original_lorsa.py).
enum class OriginalLorsaVariant {
    ZRelu,        ///< use_z_relu true, rotary on adjacent pairs off (NeoX halves), d_model 16, layer 1
    Absolute,     ///< use_z_relu false (rank |z|), no rotary, d_model 16, layer 0
};

/// Copies the committed original-release checkpoint \p variant into \p dir (created if needed).
void writeTinyOriginalLorsa(const std::filesystem::path& dir, OriginalLorsaVariant variant = OriginalLorsaVariant::ZRelu);

/// tests/data/lorsa/<name>: the folder of a committed original-release fixture, which also
/// holds reference.safetensors (the same weights, an input x and the outputs PyTorch computed).
std::filesystem::path originalLorsaDataDir(OriginalLorsaVariant variant);

} // namespace lorsa::test
