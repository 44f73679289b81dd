#include "model/atlas/sqlite_database.h"

#include "model/core/error.h"

#include <sqlite3.h>

#include <cstring>

namespace lorsa {

SqliteDatabase::SqliteDatabase(const std::filesystem::path& path, Mode mode)
    : m_path(path)
{
    std::error_code code;
    if (mode != Mode::Create && !std::filesystem::exists(path, code))
        throw Error(ErrorKind::InvalidFile, path.string() + ": no such atlas file");
    if (std::filesystem::is_directory(path, code))
        throw Error(ErrorKind::InvalidFile, path.string() + ": is a folder, expected an atlas file (.sqlite)");
    const int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                      : mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE
                                                : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
        sqlite3_close(m_db);
        m_db = nullptr;
        throw Error(ErrorKind::InvalidFile, path.string() + ": cannot open: " + message);
    }
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, 5000);
    // SQLite opens lazily: reading the schema is what detects a file that is not a database.
    try {
        queryInteger("SELECT count(*) FROM sqlite_master");
    } catch (const Error&) {
        sqlite3_close(m_db);
        m_db = nullptr;
        throw Error(ErrorKind::InvalidFile, path.string() + ": not an SQLite database (or a corrupt one); expected a Lorsa atlas");
    }
}

SqliteDatabase::~SqliteDatabase()
{
    sqlite3_close(m_db);
}

void SqliteDatabase::check(int code, const std::string& what) const
{
    const int primary = code & 0xff;
    if (primary == SQLITE_OK || primary == SQLITE_ROW || primary == SQLITE_DONE)
        return;
    std::string message = sqlite3_errmsg(m_db);
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        message += " (the file is damaged or not an atlas)";
    throw Error(ErrorKind::InvalidFile, m_path.string() + ": " + what + ": " + message);
}

void SqliteDatabase::exec(const std::string& sql)
{
    char* error = nullptr;
    const int rc = sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        const std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw Error(ErrorKind::InvalidFile, m_path.string() + ": " + message);
    }
}

int64_t SqliteDatabase::queryInteger(const std::string& sql)
{
    SqliteStatement statement(*this, sql);
    if (!statement.step())
        throw Error(ErrorKind::InvalidFile, m_path.string() + ": no result for '" + sql + "'");
    return statement.integer(0);
}

bool SqliteDatabase::hasTable(const std::string& name)
{
    SqliteStatement statement(*this, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    statement.bind(1, name);
    return statement.step();
}

SqliteStatement::SqliteStatement(const SqliteDatabase& db, std::string_view sql)
    : m_db(db)
{
    db.check(sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &m_statement, nullptr),
             "preparing '" + std::string(sql.substr(0, 60)) + "'");
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

void SqliteStatement::check(int code) const
{
    m_db.check(code, "statement '" + std::string(sqlite3_sql(m_statement)).substr(0, 60) + "'");
}

SqliteStatement& SqliteStatement::bind(int index, int64_t value)
{
    check(sqlite3_bind_int64(m_statement, index, value));
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, double value)
{
    check(sqlite3_bind_double(m_statement, index, value));
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::string& value)
{
    check(sqlite3_bind_text(m_statement, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
    return *this;
}

SqliteStatement& SqliteStatement::bindBlob(int index, const void* data, size_t bytes)
{
    static const char empty = 0;  // a zero-length blob, not NULL
    check(sqlite3_bind_blob64(m_statement, index, bytes ? data : &empty, bytes, SQLITE_TRANSIENT));
    return *this;
}

SqliteStatement& SqliteStatement::bindNull(int index)
{
    check(sqlite3_bind_null(m_statement, index));
    return *this;
}

bool SqliteStatement::step()
{
    const int rc = sqlite3_step(m_statement);
    check(rc);
    return rc == SQLITE_ROW;
}

void SqliteStatement::run()
{
    while (step()) {
    }
    reset();
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
}

bool SqliteStatement::isNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

int64_t SqliteStatement::integer(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

double SqliteStatement::real(int column) const
{
    return sqlite3_column_double(m_statement, column);
}

std::string SqliteStatement::text(int column) const
{
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
    return data ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(m_statement, column))) : std::string();
}

size_t SqliteStatement::blobBytes(int column) const
{
    return static_cast<size_t>(sqlite3_column_bytes(m_statement, column));
}

void SqliteStatement::copyBlob(int column, void* out, size_t bytes, size_t elementSize) const
{
    const auto* data = sqlite3_column_blob(m_statement, column);
    const auto stored = blobBytes(column);
    if (stored % elementSize != 0)
        throw Error(ErrorKind::InvalidFile, m_db.path().string() + ": a stored array has " + std::to_string(stored) +
                                                " bytes, not a multiple of " + std::to_string(elementSize) + " (damaged atlas)");
    if (bytes)
        std::memcpy(out, data, bytes);
}

SqliteTransaction::SqliteTransaction(SqliteDatabase& db)
    : m_db(db)
{
    m_db.exec("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction()
{
    if (m_open)
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit()
{
    m_db.exec("COMMIT");
    m_open = false;
}

} // namespace lorsa
