#include "model/atlas/atlas_file.h"

#include "model/core/error.h"

#include <cmath>

namespace lorsa {
namespace {

// Tables (docs/ATLAS.md). head_stats holds the running state an interrupted run resumes from;
// heads, top_contexts and contexts are filled when indexing completes; annotations belong to
// the user and survive every rebuild.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS head_stats (
  head INTEGER PRIMARY KEY, active_count INTEGER NOT NULL, activation_sum REAL NOT NULL,
  max REAL NOT NULL, histogram BLOB NOT NULL,
  top_activation BLOB NOT NULL, top_document BLOB NOT NULL, top_start BLOB NOT NULL, top_position BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS heads (
  head INTEGER PRIMARY KEY, qk_head INTEGER NOT NULL, similar_mhsa_head INTEGER NOT NULL,
  similar_mhsa_distance REAL NOT NULL, induction REAL NOT NULL, previous_token REAL NOT NULL,
  duplicate_token REAL NOT NULL, first_token REAL NOT NULL, promoted TEXT NOT NULL, suppressed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS top_contexts (
  head INTEGER NOT NULL, rank INTEGER NOT NULL, document INTEGER NOT NULL, start INTEGER NOT NULL,
  position INTEGER NOT NULL, activation REAL NOT NULL, peak_token INTEGER NOT NULL, peak_text TEXT NOT NULL,
  activations BLOB NOT NULL, z_pattern BLOB NOT NULL, PRIMARY KEY (head, rank));
CREATE INDEX IF NOT EXISTS top_contexts_by_context ON top_contexts (document, start);
CREATE TABLE IF NOT EXISTS contexts (
  document INTEGER NOT NULL, start INTEGER NOT NULL, tokens BLOB NOT NULL, text TEXT NOT NULL,
  token_texts TEXT NOT NULL, PRIMARY KEY (document, start));
CREATE TABLE IF NOT EXISTS annotations (
  head INTEGER PRIMARY KEY, label TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',
  bookmark INTEGER NOT NULL DEFAULT 0);
)sql";

constexpr const char* kTables[] = {"meta", "head_stats", "heads", "top_contexts", "contexts", "annotations"};

} // namespace

AtlasFile::AtlasFile(const std::filesystem::path& path, Access access)
{
    const auto mode = access == Access::ReadOnly    ? SqliteDatabase::Mode::ReadOnly
                      : access == Access::ReadWrite ? SqliteDatabase::Mode::ReadWrite
                                                    : SqliteDatabase::Mode::Create;
    m_db = std::make_unique<SqliteDatabase>(path, mode);
    const auto tables = m_db->queryInteger("SELECT count(*) FROM sqlite_master");
    if (access == Access::Create && tables == 0 && m_db->queryInteger("PRAGMA application_id") == 0) {
        createSchema();
        return;
    }
    validate();
    if (access != Access::ReadOnly)
        m_db->exec(kSchema);  // no-op on a current file
}

void AtlasFile::createSchema()
{
    SqliteTransaction transaction(*m_db);
    m_db->exec("PRAGMA application_id = " + std::to_string(kAtlasApplicationId));
    m_db->exec("PRAGMA user_version = " + std::to_string(kAtlasSchemaVersion));
    m_db->exec(kSchema);
    transaction.commit();
}

void AtlasFile::validate()
{
    const auto name = path().string();
    if (m_db->queryInteger("PRAGMA application_id") != kAtlasApplicationId)
        throw Error(ErrorKind::InvalidFile, name + ": an SQLite database but not a Lorsa atlas (foreign application id); "
                                                   "refusing to read or overwrite it");
    const auto version = m_db->queryInteger("PRAGMA user_version");
    if (version > kAtlasSchemaVersion)
        throw Error(ErrorKind::InvalidFile, name + ": atlas schema version " + std::to_string(version) +
                                                " is newer than this build reads (" + std::to_string(kAtlasSchemaVersion) + ")");
    if (version < 1)
        throw Error(ErrorKind::InvalidFile, name + ": atlas without a schema version (damaged)");
    for (const auto* table : kTables)
        if (!m_db->hasTable(table))
            throw Error(ErrorKind::InvalidFile, name + ": atlas lacks its '" + std::string(table) + "' table (damaged)");
    // Catches damage inside pages that opening alone does not read.
    SqliteStatement check(*m_db, "PRAGMA quick_check(1)");
    if (check.step() && check.text(0) != "ok")
        throw Error(ErrorKind::InvalidFile, name + ": the atlas is damaged: " + check.text(0));
}

std::optional<std::string> AtlasFile::meta(const std::string& key)
{
    SqliteStatement statement(*m_db, "SELECT value FROM meta WHERE key = ?");
    statement.bind(1, key);
    if (!statement.step())
        return std::nullopt;
    return statement.text(0);
}

std::string AtlasFile::requireMeta(const std::string& key)
{
    auto value = meta(key);
    if (!value)
        throw Error(ErrorKind::InvalidFile, path().string() + ": the atlas has no '" + key + "' entry (not finished or damaged)");
    return *value;
}

int64_t AtlasFile::metaInteger(const std::string& key)
{
    const auto text = requireMeta(key);
    try {
        size_t used = 0;
        const auto value = std::stoll(text, &used);
        if (used == text.size())
            return value;
    } catch (const std::exception&) {
    }
    throw Error(ErrorKind::InvalidFile, path().string() + ": meta '" + key + "' is '" + text + "', expected an integer");
}

void AtlasFile::setMeta(const std::string& key, const std::string& value)
{
    SqliteStatement statement(*m_db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    statement.bind(1, key).bind(2, value).run();
}

std::map<std::string, std::string> AtlasFile::allMeta()
{
    std::map<std::string, std::string> values;
    SqliteStatement statement(*m_db, "SELECT key, value FROM meta");
    while (statement.step())
        values[statement.text(0)] = statement.text(1);
    return values;
}

bool AtlasFile::hasIdentity()
{
    return meta("lorsa_config_hash").has_value();
}

AtlasIdentity AtlasFile::identity()
{
    AtlasIdentity id;
    id.modelName = requireMeta("model_name");
    id.modelFolder = requireMeta("model_folder");
    id.modelConfigHash = requireMeta("model_config_hash");
    id.lorsaName = requireMeta("lorsa_name");
    id.lorsaFolder = requireMeta("lorsa_folder");
    id.lorsaConfigHash = requireMeta("lorsa_config_hash");
    id.layer = metaInteger("layer");
    id.nOvHeads = metaInteger("n_ov_heads");
    id.nQkHeads = metaInteger("n_qk_heads");
    id.nMhsaHeads = metaInteger("n_mhsa_heads");
    return id;
}

void AtlasFile::writeIdentity(const AtlasIdentity& id)
{
    setMeta("model_name", id.modelName);
    setMeta("model_folder", id.modelFolder);
    setMeta("model_config_hash", id.modelConfigHash);
    setMeta("lorsa_name", id.lorsaName);
    setMeta("lorsa_folder", id.lorsaFolder);
    setMeta("lorsa_config_hash", id.lorsaConfigHash);
    setMeta("layer", id.layer);
    setMeta("n_ov_heads", id.nOvHeads);
    setMeta("n_qk_heads", id.nQkHeads);
    setMeta("n_mhsa_heads", id.nMhsaHeads);
}

void AtlasFile::checkBuiltFrom(const AtlasIdentity& loaded)
{
    if (!hasIdentity())
        return;
    const auto built = identity();
    if (sameLorsa(built, loaded))
        return;
    auto describe = [](const AtlasIdentity& id) {
        return "Lorsa '" + id.lorsaFolder + "' (" + id.lorsaName + ", layer " + std::to_string(id.layer) + ", " +
               std::to_string(id.nOvHeads) + " heads, config " + id.lorsaConfigHash + ")";
    };
    throw Error(ErrorKind::Mismatch, path().string() + ": this atlas was built from " + describe(built) + ", not from " +
                                         describe(loaded) + "; use another atlas file");
}

void AtlasFile::clearIndex()
{
    for (const auto* table : {"meta", "head_stats", "heads", "top_contexts", "contexts"})
        m_db->exec(std::string("DELETE FROM ") + table);
}

std::vector<HeadAnnotation> AtlasFile::annotations()
{
    std::vector<HeadAnnotation> list;
    SqliteStatement statement(*m_db, "SELECT head, label, note, bookmark FROM annotations ORDER BY head");
    while (statement.step())
        list.push_back({statement.integer(0), statement.text(1), statement.text(2), statement.integer(3) != 0});
    return list;
}

std::optional<HeadAnnotation> AtlasFile::annotation(int64_t head)
{
    SqliteStatement statement(*m_db, "SELECT head, label, note, bookmark FROM annotations WHERE head = ?");
    statement.bind(1, head);
    if (!statement.step())
        return std::nullopt;
    return HeadAnnotation{statement.integer(0), statement.text(1), statement.text(2), statement.integer(3) != 0};
}

void AtlasFile::setAnnotation(const HeadAnnotation& a)
{
    if (a.label.empty() && a.note.empty() && !a.bookmark) {
        SqliteStatement statement(*m_db, "DELETE FROM annotations WHERE head = ?");
        statement.bind(1, a.head).run();
        return;
    }
    SqliteStatement statement(*m_db, "INSERT OR REPLACE INTO annotations (head, label, note, bookmark) VALUES (?, ?, ?, ?)");
    statement.bind(1, a.head).bind(2, a.label).bind(3, a.note).bind(4, static_cast<int64_t>(a.bookmark)).run();
}


std::vector<double> histogramEdges()
{
    std::vector<double> edges;
    for (int i = 0; i <= kHistogramBins; ++i)
        edges.push_back(std::pow(10.0, kHistogramMinExponent + static_cast<double>(i) / kHistogramBinsPerDecade));
    return edges;
}

} // namespace lorsa
