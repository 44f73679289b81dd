#pragma once
// Tiny random language models written as real Hugging Face folders (config.json, safetensors
// weights, tokenizer.json), shared by every suite that needs a model to run.

#include <cstdint>
#include <filesystem>
#include <string>

namespace lorsa::test {

/// How the stored weight matrices are encoded.
enum class FixtureDtype { F32, F16, BF16 };

/// What every architecture's fixture lets a test choose.
struct FixtureModelOptions {
    uint64_t seed = 1;
    int64_t nLayers = 2;
    int64_t dModel = 32;
    int64_t nHeads = 4;
    int64_t vocabSize = 300;   ///< >= kFixtureTokenizerSize
    int64_t nCtx = 64;
    FixtureDtype dtype = FixtureDtype::F32;
    bool mixedDtypes = false;  ///< norms and biases stay F32 while matrices use dtype
    int shards = 1;            ///< > 1: model-0000i-of-0000n.safetensors + model.safetensors.index.json
};

struct Gpt2FixtureOptions : FixtureModelOptions {
    bool prefix = true;        ///< names start with "transformer." (the Hub's gpt2 has none)
    bool maskBuffers = false;  ///< also write h.{i}.attn.bias / h.{i}.attn.masked_bias
    bool writeLmHead = false;  ///< also store lm_head.weight (equal to wte)
};

struct NeoxFixtureOptions : FixtureModelOptions {
    NeoxFixtureOptions() { vocabSize = 320; }  // padded beyond the tokenizer, as Pythia is
    int64_t dMlp = 64;
    bool parallelResidual = true;
    double rotaryPct = 0.25;
    double rotaryBase = 10000.0;
    bool buffers = false;       ///< attention.bias, attention.masked_bias, attention.rotary_emb.inv_freq
    bool tiedEmbeddings = false;
};

/// The Llama family: llama, qwen2 (q/k/v biases, no o_proj bias) and qwen3 (per-head q/k RMSNorm,
/// explicit head_dim).
struct LlamaFixtureOptions : FixtureModelOptions {
    std::string modelType = "llama";  ///< llama | qwen2 | qwen3
    int64_t headDim = 0;              ///< 0: d_model / n_heads
    bool omitHeadDim = false;         ///< leave head_dim out of config.json (qwen3 then means 128)
    int64_t nKvHeads = 2;
    int64_t dMlp = 48;
    double ropeTheta = 500000.0;
    bool llama3Scaling = false;  ///< rope_scaling {rope_type: llama3, factor 8, 1, 4, original 16}
    bool tiedEmbeddings = false;
    bool attentionBias = false;
    bool mlpBias = false;
    double rmsNormEps = 1e-5;
};

/// Each writes config.json, the weights and tokenizer.json into \p dir (created if needed).
void writeTinyGpt2(const std::filesystem::path& dir, const Gpt2FixtureOptions& options = {});
void writeTinyNeox(const std::filesystem::path& dir, const NeoxFixtureOptions& options = {});
void writeTinyLlama(const std::filesystem::path& dir, const LlamaFixtureOptions& options = {});

/// The fixture tokenizer alone: GPT-2 byte-level BPE (256 byte tokens in GPT-2's byte-to-unicode
/// order, 10 merges, ids 256..265, `<|endoftext|>` = 266). The llama flavour instead uses the
/// Llama-3 Split regex + ByteLevel, ignore_merges, `<|begin_of_text|>` = 266 (prepended by a
/// TemplateProcessing post-processor) and `<|end_of_text|>` = 267.
enum class FixtureTokenizer { Gpt2, Llama3 };
void writeFixtureTokenizer(const std::filesystem::path& file, FixtureTokenizer flavour);
/// Tokens in the larger (llama) flavour; the gpt2 flavour has 267.
inline constexpr int64_t kFixtureTokenizerSize = 268;

} // namespace lorsa::test
