#include "model/atlas/atlas_reader.h"

#include "model/atlas/atlas_finalizer.h"
#include "model/core/error.h"

#include <nlohmann/json.hpp>

namespace lorsa {
namespace {

int64_t metaOr(AtlasFile& atlas, const std::string& key, int64_t fallback)
{
    return atlas.meta(key) ? atlas.metaInteger(key) : fallback;
}

} // namespace

void requireComplete(AtlasFile& atlas)
{
    const auto status = atlas.meta("status");
    if (status != "complete")
        throw Error(ErrorKind::InvalidInput, atlas.path().string() + ": indexing has not finished (" + status.value_or("never started") +
                                                 "); continue it with lorsa index ... --resume");
}

AtlasSummary readAtlasSummary(AtlasFile& atlas)
{
    AtlasSummary summary;
    summary.schemaVersion = static_cast<int>(atlas.db().queryInteger("PRAGMA user_version"));
    summary.status = atlas.meta("status").value_or("empty");
    if (!atlas.hasIdentity())
        return summary;
    summary.identity = atlas.identity();
    summary.context = metaOr(atlas, "context", 0);
    summary.top = metaOr(atlas, "top", 0);
    summary.documents = metaOr(atlas, "documents", 0);
    summary.contexts = metaOr(atlas, "contexts_done", 0);
    summary.tokensIndexed = metaOr(atlas, "tokens_done", 0);
    summary.deadHeads = atlas.db().queryInteger("SELECT count(*) FROM head_stats WHERE active_count = 0");
    const auto shards = metaOr(atlas, "shard_count", 1);
    if (const auto merged = atlas.meta("merged_shards"))
        summary.shard = "merged " + *merged + " of " + std::to_string(shards);
    else if (shards > 1)
        summary.shard = std::to_string(metaOr(atlas, "shard_index", 0)) + "/" + std::to_string(shards);
    if (const auto files = atlas.meta("corpus_files"))
        summary.corpusFiles = nlohmann::json::parse(*files).get<std::vector<std::string>>();
    return summary;
}

AtlasHead readAtlasHead(AtlasFile& atlas, int64_t head)
{
    requireComplete(atlas);
    const auto heads = atlas.metaInteger("n_ov_heads");
    if (head < 0 || head >= heads)
        throw Error(ErrorKind::InvalidInput, "head " + std::to_string(head) + " does not exist (the atlas has heads 0.." +
                                                 std::to_string(heads - 1) + ")");
    AtlasHead h;
    h.head = head;
    SqliteStatement stats(atlas.db(), "SELECT active_count, activation_sum, max, histogram FROM head_stats WHERE head = ?");
    stats.bind(1, head);
    if (!stats.step())
        throw Error(ErrorKind::InvalidFile, atlas.path().string() + ": no statistics for head " + std::to_string(head) + " (damaged atlas)");
    h.activeCount = stats.integer(0);
    const auto positions = atlas.metaInteger("tokens_done");
    h.frequency = positions > 0 ? static_cast<double>(h.activeCount) / static_cast<double>(positions) : 0.0;
    h.max = h.activeCount > 0 ? stats.real(2) : 0.0;
    h.meanActive = h.activeCount > 0 ? stats.real(1) / static_cast<double>(h.activeCount) : 0.0;
    h.histogramCounts = stats.blob<int64_t>(3);
    h.histogramEdges = histogramEdges();

    SqliteStatement info(atlas.db(), "SELECT qk_head, similar_mhsa_head, similar_mhsa_distance, induction, previous_token, "
                                     "duplicate_token, first_token, promoted, suppressed FROM heads WHERE head = ?");
    info.bind(1, head);
    if (!info.step())
        throw Error(ErrorKind::InvalidFile, atlas.path().string() + ": no entry for head " + std::to_string(head) + " (damaged atlas)");
    h.qkHead = info.integer(0);
    h.similarMhsaHead = info.integer(1);
    h.similarMhsaDistance = info.real(2);
    h.scores.kind = "lorsa_qk";
    h.scores.layer = atlas.metaInteger("layer");
    h.scores.head = h.qkHead;
    h.scores.induction = info.real(3);
    h.scores.previousToken = info.real(4);
    h.scores.duplicateToken = info.real(5);
    h.scores.firstToken = info.real(6);
    h.promoted = tokenScoresFromJson(info.text(7));
    h.suppressed = tokenScoresFromJson(info.text(8));
    if (const auto annotation = atlas.annotation(head)) {
        h.label = annotation->label;
        h.note = annotation->note;
        h.bookmark = annotation->bookmark;
    }
    return h;
}

std::vector<AtlasHeadRow> readHeadRows(AtlasFile& atlas)
{
    requireComplete(atlas);
    const auto positions = atlas.metaInteger("tokens_done");
    SqliteStatement select(atlas.db(), "SELECT s.head, h.qk_head, s.active_count, s.max, h.similar_mhsa_head, h.induction, "
                                       "h.previous_token, coalesce(t.peak_text, ''), coalesce(a.label, ''), coalesce(a.note, ''), "
                                       "coalesce(a.bookmark, 0) FROM head_stats s JOIN heads h ON h.head = s.head "
                                       "LEFT JOIN top_contexts t ON t.head = s.head AND t.rank = 0 "
                                       "LEFT JOIN annotations a ON a.head = s.head ORDER BY s.head");
    std::vector<AtlasHeadRow> rows;
    rows.reserve(static_cast<size_t>(atlas.metaInteger("n_ov_heads")));
    while (select.step()) {
        AtlasHeadRow row;
        row.head = select.integer(0);
        row.qkHead = select.integer(1);
        row.activeCount = select.integer(2);
        row.frequency = positions > 0 ? static_cast<double>(row.activeCount) / static_cast<double>(positions) : 0.0;
        row.max = row.activeCount > 0 ? select.real(3) : 0.0;
        row.similarMhsaHead = select.integer(4);
        row.induction = select.real(5);
        row.previousToken = select.real(6);
        row.topToken = select.text(7);
        row.label = select.text(8);
        row.note = select.text(9);
        row.bookmark = select.integer(10) != 0;
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<AtlasContext> readTopContexts(AtlasFile& atlas, int64_t head)
{
    readAtlasHead(atlas, head);  // checks the head and that the atlas is complete
    SqliteStatement select(atlas.db(), "SELECT t.rank, t.document, t.start, t.position, t.activation, t.activations, t.z_pattern, "
                                       "c.tokens, c.text, c.token_texts FROM top_contexts t JOIN contexts c "
                                       "ON c.document = t.document AND c.start = t.start WHERE t.head = ? ORDER BY t.rank");
    select.bind(1, head);
    std::vector<AtlasContext> contexts;
    while (select.step()) {
        AtlasContext c;
        c.rank = select.integer(0);
        c.document = select.integer(1);
        c.start = select.integer(2);
        c.position = select.integer(3);
        c.activation = static_cast<float>(select.real(4));
        c.activations = select.blob<float>(5);
        c.zPattern = select.blob<float>(6);
        for (const auto id : select.blob<int32_t>(7))
            c.tokens.push_back(id);
        c.text = select.text(8);
        c.tokenTexts = nlohmann::json::parse(select.text(9)).get<std::vector<std::string>>();
        contexts.push_back(std::move(c));
    }
    return contexts;
}

std::vector<AtlasSearchHit> searchByToken(AtlasFile& atlas, const std::string& text)
{
    requireComplete(atlas);
    SqliteStatement select(atlas.db(), "SELECT t.head, max(t.activation), t.peak_text, coalesce(a.label, ''), coalesce(a.note, '') "
                                       "FROM top_contexts t LEFT JOIN annotations a ON a.head = t.head "
                                       "WHERE instr(lower(t.peak_text), lower(?)) > 0 GROUP BY t.head ORDER BY 2 DESC, t.head");
    select.bind(1, text);
    std::vector<AtlasSearchHit> hits;
    while (select.step())
        hits.push_back({select.integer(0), select.real(1), select.text(2), select.text(3), select.text(4)});
    return hits;
}

std::vector<AtlasSearchHit> searchByLabel(AtlasFile& atlas, const std::string& text)
{
    SqliteStatement select(atlas.db(), "SELECT head, label, note FROM annotations WHERE instr(lower(label), lower(?)) > 0 "
                                       "OR instr(lower(note), lower(?)) > 0 ORDER BY head");
    select.bind(1, text).bind(2, text);
    std::vector<AtlasSearchHit> hits;
    while (select.step())
        hits.push_back({select.integer(0), 0.0, select.text(1), select.text(1), select.text(2)});
    return hits;
}

} // namespace lorsa
