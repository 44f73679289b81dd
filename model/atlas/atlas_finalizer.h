#pragma once
/// \file
/// The last stage of indexing: recompute only the final top contexts (never every position) for
/// each head's activations over the context and its z-pattern at the peak, and record per head
/// its QK head, head scores, most similar MHSA head and promoted/suppressed tokens.
/// Engine-internal.

#include "model/atlas/atlas_corpus.h"
#include "model/atlas/atlas_file.h"
#include "model/atlas/running_state.h"

#include <functional>

namespace lorsa {

class Engine;

struct FinalizeOptions {
    int64_t top = 32;
    int64_t context = 128;
    std::function<bool()> cancelled;  ///< polled between batches; true throws Error(Cancelled)
};

/// Ranks \p state's candidates exactly (canonical_top.h), writes heads, top_contexts, contexts
/// and the final head_stats (top lists and maxima from the exact values) and marks the atlas
/// complete, in one transaction (an interruption leaves the indexed state to resume from).
void finalizeAtlas(const Engine& engine, const AtlasCorpus& corpus, const RunningState& state, AtlasFile& atlas,
                   const FinalizeOptions& options);

/// Token lists as stored in the heads table: [{"id", "text", "logit"}, ...].
std::string tokenScoresJson(const std::vector<TokenScore>& tokens);
std::vector<TokenScore> tokenScoresFromJson(const std::string& json);

} // namespace lorsa
