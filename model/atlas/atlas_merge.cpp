#include "model/atlas/atlas_merge.h"

#include "model/atlas/atlas_file.h"
#include "model/atlas/atlas_reader.h"
#include "model/atlas/state_store.h"
#include "model/core/error.h"

#include <memory>
#include <set>

namespace lorsa {
namespace {

/// Settings every shard of one corpus shares.
const char* const kSharedSettings[] = {"context", "top", "shard_count", "max_tokens", "corpus_fingerprint", "documents",
                                       "lorsa_config_hash", "layer", "n_ov_heads"};

std::string quoted(const std::filesystem::path& path)
{
    std::string text = "'";
    for (const char c : path.string())
        text += c == '\'' ? std::string("''") : std::string(1, c);
    return text + "'";
}

} // namespace

MergeResult mergeAtlases(const std::filesystem::path& out, const std::vector<std::filesystem::path>& shardPaths)
{
    if (shardPaths.empty())
        throw Error(ErrorKind::InvalidInput, "no shard atlas given");
    std::vector<std::unique_ptr<AtlasFile>> shards;
    std::set<int64_t> indices;
    for (const auto& path : shardPaths) {
        if (std::filesystem::exists(out) && std::filesystem::equivalent(path, out))
            throw Error(ErrorKind::InvalidInput, path.string() + ": the output cannot also be a shard");
        auto shard = std::make_unique<AtlasFile>(path, AtlasFile::Access::ReadOnly);
        requireComplete(*shard);
        if (shard->meta("merged_shards"))
            throw Error(ErrorKind::InvalidInput, path.string() + ": already a merged atlas; merge the shard atlases themselves");
        for (const auto* key : kSharedSettings)
            if (!shards.empty() && shard->meta(key) != shards.front()->meta(key))
                throw Error(ErrorKind::InvalidInput, path.string() + ": its '" + key + "' (" + shard->meta(key).value_or("unset") +
                                                         ") differs from " + shardPaths.front().string() + "'s (" +
                                                         shards.front()->meta(key).value_or("unset") +
                                                         "): shards must index one corpus with one Lorsa and the same options");
        if (!indices.insert(shard->metaInteger("shard_index")).second)
            throw Error(ErrorKind::InvalidInput, path.string() + ": shard " + shard->requireMeta("shard_index") + " is given twice");
        shards.push_back(std::move(shard));
    }
    auto& first = *shards.front();
    const auto heads = first.metaInteger("n_ov_heads");
    const auto top = first.metaInteger("top");
    const auto shardCount = first.metaInteger("shard_count");
    auto state = readRunningState(first, heads, top);
    int64_t contexts = first.metaInteger("contexts_done"), tokens = first.metaInteger("tokens_done");
    for (size_t i = 1; i < shards.size(); ++i) {
        state.merge(readRunningState(*shards[i], heads, top));
        contexts += shards[i]->metaInteger("contexts_done");
        tokens += shards[i]->metaInteger("tokens_done");
    }

    auto temporary = out;
    temporary += ".merging";
    std::filesystem::remove(temporary);
    {
        AtlasFile merged(temporary, AtlasFile::Access::Create);
        auto& db = merged.db();
        SqliteTransaction transaction(db);
        for (const auto& [key, value] : first.allMeta())
            merged.setMeta(key, value);
        std::string list;
        for (const auto index : indices)
            list += (list.empty() ? "" : ",") + std::to_string(index);
        merged.setMeta("merged_shards", list);
        merged.setMeta("shard_index", -1);
        merged.setMeta("contexts_done", contexts);
        merged.setMeta("tokens_done", tokens);
        merged.setMeta("contexts_total", contexts);
        merged.setMeta("tokens_total", tokens);
        writeRunningState(merged, state);
        db.exec("CREATE TEMP TABLE winners (head INTEGER, rank INTEGER, document INTEGER, start INTEGER)");
        SqliteStatement insert(db, "INSERT INTO temp.winners VALUES (?, ?, ?, ?)");
        for (int64_t h = 0; h < heads; ++h) {
            const auto& list2 = state.topLists[static_cast<size_t>(h)];
            for (size_t r = 0; r < list2.size(); ++r)
                insert.bind(1, h).bind(2, static_cast<int64_t>(r)).bind(3, list2[r].document).bind(4, list2[r].start).run();
        }
        transaction.commit();
        // ATTACH cannot run inside a transaction; the temporary file only becomes the atlas once
        // everything is in, so the copies below need none.
        for (size_t i = 0; i < shards.size(); ++i) {
            db.exec("ATTACH DATABASE " + quoted(shardPaths[i]) + " AS shard");
            const auto where = " w.document % " + std::to_string(shardCount) + " = " + shards[i]->requireMeta("shard_index");
            db.exec("INSERT INTO top_contexts SELECT w.head, w.rank, t.document, t.start, t.position, t.activation, t.peak_token, "
                    "t.peak_text, t.activations, t.z_pattern FROM temp.winners w JOIN shard.top_contexts t "
                    "ON t.head = w.head AND t.document = w.document AND t.start = w.start WHERE" + where);
            db.exec("INSERT OR IGNORE INTO contexts SELECT c.* FROM shard.contexts c WHERE EXISTS (SELECT 1 FROM temp.winners w "
                    "WHERE w.document = c.document AND w.start = c.start AND" + where + ")");
            // A head's similar MHSA head was measured on its strongest context: take that shard's.
            db.exec("INSERT OR IGNORE INTO heads SELECT h.* FROM shard.heads h WHERE h.head IN (SELECT w.head FROM temp.winners w "
                    "WHERE w.rank = 0 AND" + where + ")");
            if (i == 0)
                db.exec("INSERT OR IGNORE INTO heads SELECT h.* FROM shard.heads h WHERE h.head NOT IN (SELECT head FROM temp.winners)");
            db.exec("DETACH DATABASE shard");
        }
        if (db.queryInteger("SELECT count(*) FROM heads") != heads ||
            db.queryInteger("SELECT count(*) FROM top_contexts") != db.queryInteger("SELECT count(*) FROM temp.winners"))
            throw Error(ErrorKind::InvalidFile, "merging into " + out.string() + ": a shard lacks rows its statistics name (damaged shard)");
        if (std::filesystem::exists(out)) {
            AtlasFile previous(out, AtlasFile::Access::ReadOnly);
            previous.checkBuiltFrom(first.identity());
            SqliteTransaction keep(db);
            for (const auto& annotation : previous.annotations())
                merged.setAnnotation(annotation);
            keep.commit();
        }
    }
    std::filesystem::rename(temporary, out);
    return {static_cast<int64_t>(shards.size()), tokens};
}

} // namespace lorsa
