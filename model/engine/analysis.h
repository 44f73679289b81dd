#pragma once
/// \file
/// The plain, immutable results that leave the engine for the GUI and for exports. No LibTorch
/// types: every tensor-like field is a flat row-major std::vector<float> with its shape stated.
/// Built completely on the worker thread, then shared read-only (std::shared_ptr<const ...>).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lorsa {

/// A row-major matrix of floats; `values.size() == rows * cols`.
struct FloatMatrix {
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<float> values;  // (rows, cols), row-major

    float at(int64_t row, int64_t col) const { return values[static_cast<size_t>(row * cols + col)]; }
    bool empty() const { return values.empty(); }
};

/// One token of the analysed prompt.
struct TokenInfo {
    int64_t id = 0;
    std::string text;        ///< decoded text of this token alone (UTF-8, may be partial bytes shown as U+FFFD)
    int64_t byteBegin = 0;   ///< span in the prompt's UTF-8 bytes; begin == end for an added BOS
    int64_t byteEnd = 0;
};

/// One active Lorsa head at one token.
struct HeadActivation {
    int32_t head = 0;        ///< OV head index
    float activation = 0;    ///< value after the activation function (== hidden_pre when kept)
    /// Its share of the token's reconstruction: |z_i| |w_o^i| over the sum of that over the
    /// token's active heads (the shares of a token sum to 1).
    float share = 0;
};

/// A token the unembedding or the embedding ties to a head, with its score.
struct TokenScore {
    int64_t id = 0;
    std::string text;
    float score = 0;
};

/// How faithfully the Lorsa layer stands in for the attention it replaces, over a prompt (or a
/// batch: per-token values are then flattened batch-major, B*T).
struct Fidelity {
    double fvu = 0;                    ///< fraction of variance unexplained of hook_attn_out
    double meanL0 = 0;                 ///< mean number of active heads per token
    double cleanLoss = 0;              ///< next-token cross-entropy, nats/token
    double splicedLoss = 0;            ///< same with the Lorsa output spliced in
    std::vector<float> l0PerToken;     // (T)
    std::vector<float> errorPerToken;  // (T) |target - recon|^2 / mean over tokens of |target - mean target|^2
};

/// The standard scores of one attention head (definitions in head_scores.h).
struct HeadScore {
    std::string kind;          ///< "mhsa" or "lorsa_qk"
    int64_t layer = 0;
    int64_t head = 0;
    double induction = 0;
    double previousToken = 0;
    double duplicateToken = 0;
    double firstToken = 0;
};

/// What every prompt of a session shares (until its Lorsa changes): built once and shared by
/// every PromptAnalysis, never copied per keystroke.
struct SessionConstants {
    std::string modelName;
    std::string lorsaName;                               ///< empty without a Lorsa
    std::string modelPath;                               ///< the folders, as opened (provenance of exports)
    std::string lorsaPath;
    std::string modelConfigHash;                         ///< fingerprint.h: FNV-1a of config.json, hex
    std::string lorsaConfigHash;
    int32_t layer = 0;                                   ///< the Lorsa's layer (model-only: the layer shown)
    int32_t nMhsaHeads = 0;
    int32_t nQkHeads = 0;
    int32_t nOvHeads = 0;                                ///< 0 without a Lorsa
    std::vector<int32_t> qkHeadOfOv;                     // (n_ov) the QK head each OV head reads (LorsaLayer::qkHeadOf)
    std::vector<float> decoderNorms;                     // (n_ov) |w_o^i|
    /// Per Lorsa QK head, its head scores (n_qk entries, or empty when not computed).
    std::vector<HeadScore> qkHeadScores;
    /// Per MHSA head of the Lorsa's layer, its head scores (n_heads entries, or empty).
    std::vector<HeadScore> mhsaHeadScores;
};
using SessionConstantsPtr = std::shared_ptr<const SessionConstants>;

/// Everything about a prompt that does not depend on the selection.
struct PromptAnalysis {
    uint64_t generation = 0;
    SessionConstantsPtr session;                         ///< never null in an analysis from the engine
    std::string promptText;                              ///< as typed (UTF-8), before tokenization
    std::vector<TokenInfo> tokens;                       // (T)
    std::vector<std::vector<HeadActivation>> active;     // (T) lists, each sorted by activation, descending
    std::vector<float> activeCount;                      // (T) number of active heads
    /// Per OV head, the top tokens of w_o through the unembedding (n_ov lists, best first).
    /// Either empty (not computed) or of size n_ov; a head's list may be empty. Shown in the
    /// head list; HeadDetail::promotedTokens holds the same for the selected head.
    std::vector<std::vector<TokenScore>> headPromotedTokens;  // (n_ov) lists
    /// Per OV head, the top tokens whose embeddings drive w_v (same conventions as above).
    std::vector<std::vector<TokenScore>> headValueTokens;     // (n_ov) lists
    /// Per OV head, the bottom tokens of w_o through the unembedding, most negative first (same
    /// conventions as headPromotedTokens).
    std::vector<std::vector<TokenScore>> headSuppressedTokens;  // (n_ov) lists
    Fidelity fidelity;
    double analysisMs = 0;                               ///< engine time for this result
    int64_t reusedTokens = 0;                            ///< leading tokens whose work the previous prompt had done
    /// The prompt's length in tokens when it was longer than the context (the model's or the
    /// Lorsa's) and only the first `tokens.size()` were analysed; 0 when the whole prompt was.
    int64_t truncatedFrom = 0;
};

/// Everything that depends on one selected Lorsa head, MHSA head and query token. Without a
/// Lorsa (SessionConstants::nOvHeads == 0) only mhsaHead, queryToken and mhsaPattern are filled.
struct HeadDetail {
    uint64_t generation = 0;
    int32_t lorsaHead = 0;
    int32_t qkHead = 0;                  ///< the QK head the OV head reads its pattern from
    int32_t mhsaHead = 0;                ///< the MHSA head shown next to it
    int32_t queryToken = 0;
    std::vector<float> headActivation;   // (T) activation of lorsaHead at every token (0 where inactive)
    FloatMatrix lorsaPattern;            // (T, T) query x key, 0 above the diagonal
    FloatMatrix mhsaPattern;             // (T, T)
    FloatMatrix zPattern;                // (T, T) A[q,k] * v[k]; rows sum to hidden_pre
    std::vector<float> mhsaSimilarity;   // (n_mhsa) mean Jensen-Shannon distance to the Lorsa pattern, lower = closer
    std::vector<TokenScore> promotedTokens;  ///< top tokens of w_o through the unembedding
    std::vector<TokenScore> suppressedTokens;  ///< bottom tokens of w_o through the unembedding, most negative first
    std::vector<TokenScore> valueTokens;     ///< top tokens whose embeddings drive w_v
};

using PromptAnalysisPtr = std::shared_ptr<const PromptAnalysis>;
using HeadDetailPtr = std::shared_ptr<const HeadDetail>;

} // namespace lorsa
