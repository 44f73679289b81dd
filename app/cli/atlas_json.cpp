#include "app/cli/atlas_json.h"

namespace lorsa::cli {

nlohmann::ordered_json tokenScoresJsonList(const std::vector<TokenScore>& tokens)
{
    auto list = nlohmann::ordered_json::array();
    for (const auto& t : tokens)
        list.push_back({{"id", t.id}, {"text", t.text}, {"logit", t.score}});
    return list;
}

nlohmann::ordered_json summaryJson(const AtlasSummary& s)
{
    const auto& id = s.identity;
    return {{"schema_version", s.schemaVersion},
            {"status", s.status},
            {"model", {{"name", id.modelName}, {"folder", id.modelFolder}, {"config_hash", id.modelConfigHash}}},
            {"lorsa",
             {{"name", id.lorsaName},
              {"folder", id.lorsaFolder},
              {"config_hash", id.lorsaConfigHash},
              {"layer", id.layer},
              {"n_qk_heads", id.nQkHeads}}},
            {"heads", id.nOvHeads},
            {"dead_heads", s.deadHeads},
            {"context", s.context},
            {"top", s.top},
            {"documents", s.documents},
            {"contexts", s.contexts},
            {"tokens_indexed", s.tokensIndexed},
            {"shard", s.shard},
            {"corpus_files", s.corpusFiles}};
}

nlohmann::ordered_json headJson(const AtlasHead& h)
{
    return {{"head", h.head},
            {"qk_head", h.qkHead},
            {"active_count", h.activeCount},
            {"frequency", h.frequency},
            {"max", h.max},
            {"mean_active", h.meanActive},
            {"histogram", {{"edges", h.histogramEdges}, {"counts", h.histogramCounts}}},
            {"similar_mhsa_head", h.similarMhsaHead},
            {"similar_mhsa_distance", h.similarMhsaDistance},
            {"scores",
             {{"induction", h.scores.induction},
              {"previous_token", h.scores.previousToken},
              {"duplicate_token", h.scores.duplicateToken},
              {"first_token", h.scores.firstToken}}},
            {"promoted", tokenScoresJsonList(h.promoted)},
            {"suppressed", tokenScoresJsonList(h.suppressed)},
            {"label", h.label},
            {"note", h.note},
            {"bookmark", h.bookmark}};
}

nlohmann::ordered_json contextJson(const AtlasContext& c)
{
    return {{"rank", c.rank},
            {"document", c.document},
            {"start", c.start},
            {"position", c.position},
            {"activation", c.activation},
            {"tokens", c.tokens},
            {"text", c.text},
            {"z_pattern", c.zPattern},
            {"activations", c.activations},
            {"token_texts", c.tokenTexts}};
}

} // namespace lorsa::cli
