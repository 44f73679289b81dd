#pragma once
/// \file
/// The engine as the GUI sees it: plain C++ in, plain immutable results out (analysis.h), no
/// LibTorch types. One session lives on one worker thread, which loads, owns and runs it.

#include "model/engine/analysis.h"
#include "model/engine/engine_options.h"
#include "model/engine/explorer_result.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lorsa {

/// One Lorsa a set offers (the explorer's layer selector).
struct LorsaOffer {
    int32_t layer = 0;
    std::string variant;                   ///< "8x/k64"
    std::string path;
};

/// What was loaded, for the status bar and window title.
struct SessionInfo {
    std::string modelName;
    std::string lorsaName;                 ///< empty without a Lorsa
    std::string lorsaPath;                 ///< the Lorsa folder in use (chosen from the set)
    std::string lorsaVariant;              ///< its variant, "8x/k64"
    std::vector<LorsaOffer> lorsaOffers;   ///< every Lorsa of the opened set (one for a single folder)
    std::string bosToken;                  ///< the token "Prepend BOS" adds; empty when the model defines none
    std::string device;                    ///< "cpu", "cuda:0"
    std::string dtype;
    std::string inputMode;                 ///< the Lorsa input evidence, one line
    int32_t layer = 0;
    int32_t nLayers = 0;
    int32_t nMhsaHeads = 0;
    int32_t nQkHeads = 0;
    int32_t nOvHeads = 0;
    int64_t maxTokens = 0;
    /// Head scores (head_scores.h) of the layer's MHSA heads and of every Lorsa QK head. Without
    /// a Lorsa, `layer` is the model layer whose attention the session shows (switchLayer).
    std::vector<HeadScore> headScores;
};

/// Next-token predictions at one position with some Lorsa heads scaled (0 = ablated).
struct InterventionResult {
    uint64_t generation = 0;
    int32_t queryToken = 0;
    std::map<int32_t, float> headScales;
    std::vector<TokenScore> baseline;      ///< top probabilities with the Lorsa spliced in, unchanged
    std::vector<TokenScore> clean;         ///< same tokens' probabilities in the model itself (no Lorsa)
    std::vector<TokenScore> intervened;    ///< same tokens' probabilities after the intervention
    std::vector<TokenScore> biggestChanges;///< tokens whose probability changed most (signed)
};
using InterventionResultPtr = std::shared_ptr<const InterventionResult>;

/// One Lorsa head on a given token sequence (an atlas context): its QK head's pattern and its
/// z-pattern, computed without touching the session's last prompt or its caches.
struct ContextPattern {
    uint64_t generation = 0;
    int32_t lorsaHead = 0;
    int32_t qkHead = 0;
    std::vector<int64_t> tokens;       ///< as given, BOS first when the context has one
    std::vector<float> headActivation; ///< (T) the head's activation at every position
    FloatMatrix pattern;               ///< (T, T) query x key, 0 above the diagonal
    FloatMatrix zPattern;              ///< (T, T) A[q,k] * v[k]
};
using ContextPatternPtr = std::shared_ptr<const ContextPattern>;

/// Polled during long work; true abandons it with Error(Cancelled).
using CancelCheck = std::function<bool()>;

class Engine;

class ExplorerSession {
public:
    /// Loads tokenizer, model and Lorsa; options.progress gets (fraction, stage); \p cancelled is
    /// polled while loading. A set without a chosen layer opens on its first Lorsa. Throws
    /// lorsa::Error naming the file and the problem.
    static std::unique_ptr<ExplorerSession> open(const EngineOptions& options, const CancelCheck& cancelled = {});
    ~ExplorerSession();

    const SessionInfo& info() const;

    /// The engine the session runs (for the atlas functions, which take an Engine).
    const Engine& engine() const;
    /// The model folder the session was opened from.
    std::filesystem::path modelDir() const;
    /// The Lorsa folder in use (the one chosen from a set); empty without a Lorsa.
    std::filesystem::path lorsaDir() const;

    /// On by default: analyze() computes only the tokens after the prefix the prompt shares with
    /// the last one. Off, every prompt is computed whole (the typing benchmark's baseline).
    void setPrefixReuse(bool reuse);

    /// Tokenizes \p text without running it and without a length limit.
    std::vector<TokenInfo> tokenize(const std::string& text, bool prependBos) const;

    /// With a Lorsa: opens another Lorsa of the set (by layer and variant) in place of the
    /// current one. Without one (model-only): shows the MHSA attention of model layer \p layer
    /// (\p variant unused). The model and its caches stay; the next analysis recomputes the last
    /// prompt from the lower of the two layers. On error the current layer stays. Returns the
    /// new info.
    const SessionInfo& switchLayer(int32_t layer, const std::string& variant, const CancelCheck& cancelled = {});

    /// Tokenizes and runs \p text, keeping what head queries need. Throws Error(InvalidInput)
    /// for an empty, invalid or too long prompt (longer than the model's context; a prompt
    /// beyond the Lorsa's context is analysed up to it: PromptAnalysis::truncatedFrom),
    /// Error(Cancelled) when superseded.
    PromptAnalysisPtr analyze(const std::string& text, bool prependBos, uint64_t generation, const CancelCheck& cancelled = {});

    /// One explorer request: analyze() \p text, resolve \p intent on it (resolveSelection) and
    /// compute the resolved selection's headDetail(): one immutable result.
    ExplorerResultPtr explore(const std::string& text, bool prependBos, const SelectionIntent& intent, uint64_t generation,
                              const CancelCheck& cancelled = {});

    /// The same prompt with another selection: \p current's analysis with a new detail. Throws
    /// Error(InvalidInput) when \p current is not about the session's last prompt.
    ExplorerResultPtr reselect(const ExplorerResultPtr& current, const Selection& selection, uint64_t generation,
                               const CancelCheck& cancelled = {});

    /// Patterns, z-pattern and token attributions of one Lorsa head on the last analysed prompt.
    /// \p mhsaHead defaults to the MHSA head whose pattern is closest (mean Jensen-Shannon
    /// distance of rows). Without a Lorsa (model-only) only mhsaHead (default 0), queryToken and
    /// mhsaPattern are filled and \p lorsaHead is ignored. Throws Error(InvalidInput) for
    /// out-of-range indices or no prompt yet. \p cancelled is polled between its stages
    /// (patterns, z-pattern, similarities).
    HeadDetailPtr headDetail(int32_t lorsaHead, std::optional<int32_t> mhsaHead, int32_t queryToken, uint64_t generation,
                             const CancelCheck& cancelled = {});

    /// \p lorsaHead's activation, QK pattern and z-pattern on \p tokens (as headDetail() computes
    /// them), running the model up to the Lorsa's layer on those tokens alone: the last prompt
    /// and its caches stay as they are. Throws Error(InvalidInput) without a Lorsa, for empty or
    /// too many tokens (more than SessionInfo::maxTokens), a token id outside the vocabulary or a
    /// head that does not exist; Error(Cancelled) when \p cancelled says so.
    ContextPatternPtr contextPattern(const std::vector<int64_t>& tokens, int32_t lorsaHead, uint64_t generation,
                                     const CancelCheck& cancelled = {});

    /// Splices the Lorsa output into the model with \p headScales applied and compares the
    /// next-token probabilities at \p queryToken with the unchanged splice and the clean model.
    /// \p cancelled is polled between its three forward passes (from the Lorsa's block on) and inside them.
    InterventionResultPtr intervene(const std::map<int32_t, float>& headScales, int32_t queryToken, uint64_t generation,
                                    int topTokens = 10, const CancelCheck& cancelled = {});

private:
    ExplorerSession();
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace lorsa
