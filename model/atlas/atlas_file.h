#pragma once
/// \file
/// An atlas file: an SQLite database with a versioned schema (docs/ATLAS.md). Opening checks
/// that it is an atlas of a schema this build reads, so that a foreign database, a corrupt file
/// or an atlas of another Lorsa is refused with a message saying which. No LibTorch.

#include "model/atlas/atlas_types.h"
#include "model/atlas/sqlite_database.h"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace lorsa {

/// PRAGMA application_id of an atlas ("LRSA") and PRAGMA user_version = the schema version.
inline constexpr int64_t kAtlasApplicationId = 0x4C525341;
inline constexpr int kAtlasSchemaVersion = 1;

class AtlasFile {
public:
    enum class Access { ReadOnly, ReadWrite, Create };

    /// Opens \p path. Create also accepts a missing or empty file and lays out the schema.
    /// Throws Error(InvalidFile) for a file that is not SQLite, corrupt, a foreign database, or
    /// of a newer schema.
    AtlasFile(const std::filesystem::path& path, Access access);

    SqliteDatabase& db() { return *m_db; }
    const std::filesystem::path& path() const { return m_db->path(); }

    std::optional<std::string> meta(const std::string& key);
    std::string requireMeta(const std::string& key);
    int64_t metaInteger(const std::string& key);
    void setMeta(const std::string& key, const std::string& value);
    void setMeta(const std::string& key, int64_t value) { setMeta(key, std::to_string(value)); }
    std::map<std::string, std::string> allMeta();

    /// True once the identity was recorded (the first index run got that far).
    bool hasIdentity();
    AtlasIdentity identity();
    void writeIdentity(const AtlasIdentity& identity);
    /// Throws Error(Mismatch) unless the atlas was built from the same Lorsa (config hash and
    /// layer), saying which Lorsa each is.
    void checkBuiltFrom(const AtlasIdentity& loaded);

    /// Removes every indexed result and the meta rows, keeping the annotations (a rebuild).
    void clearIndex();

    std::vector<HeadAnnotation> annotations();
    std::optional<HeadAnnotation> annotation(int64_t head);
    /// Inserts or replaces; an annotation with empty label and note and no bookmark is removed.
    void setAnnotation(const HeadAnnotation& annotation);

private:
    void createSchema();
    void validate();

    std::unique_ptr<SqliteDatabase> m_db;
};

} // namespace lorsa
