#pragma once
/// \file
/// A thin RAII layer over the SQLite C library: one connection, prepared statements and
/// transactions. Every failure becomes a lorsa::Error naming the database file.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace lorsa {

class SqliteDatabase;

/// A prepared statement; bind indices start at 1, column indices at 0.
class SqliteStatement {
public:
    SqliteStatement(const SqliteDatabase& db, std::string_view sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    SqliteStatement& bind(int index, int64_t value);
    SqliteStatement& bind(int index, double value);
    SqliteStatement& bind(int index, const std::string& value);
    SqliteStatement& bindBlob(int index, const void* data, size_t bytes);
    SqliteStatement& bindNull(int index);
    template <typename T>
    SqliteStatement& bindVector(int index, const std::vector<T>& values)
    {
        return bindBlob(index, values.data(), values.size() * sizeof(T));
    }

    /// Advances to the next row; false when done.
    bool step();
    /// Runs a statement that returns no rows, then resets it for the next bindings.
    void run();
    void reset();

    bool isNull(int column) const;
    int64_t integer(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    /// A blob column as a vector of T; throws Error(InvalidFile) when its size is not a multiple.
    template <typename T>
    std::vector<T> blob(int column) const
    {
        std::vector<T> values(blobBytes(column) / sizeof(T));
        copyBlob(column, values.data(), values.size() * sizeof(T), sizeof(T));
        return values;
    }

private:
    size_t blobBytes(int column) const;
    void copyBlob(int column, void* out, size_t bytes, size_t elementSize) const;
    void check(int code) const;

    const SqliteDatabase& m_db;
    sqlite3_stmt* m_statement = nullptr;
};

class SqliteDatabase {
public:
    enum class Mode { ReadOnly, ReadWrite, Create };

    /// Opens \p path. ReadOnly and ReadWrite require an existing file; Create makes it if
    /// missing. Throws Error(InvalidFile) when the file is not an SQLite database or is corrupt.
    SqliteDatabase(const std::filesystem::path& path, Mode mode);
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;

    void exec(const std::string& sql);
    /// One integer from a query returning one row (e.g. PRAGMA user_version).
    int64_t queryInteger(const std::string& sql);
    bool hasTable(const std::string& name);

    const std::filesystem::path& path() const { return m_path; }
    sqlite3* handle() const { return m_db; }
    /// Throws Error(InvalidFile) "<file>: <what>: <sqlite message>" unless \p code is OK/ROW/DONE.
    void check(int code, const std::string& what) const;

private:
    std::filesystem::path m_path;
    sqlite3* m_db = nullptr;
};

/// BEGIN IMMEDIATE on construction; commit() makes it durable, the destructor rolls back an
/// uncommitted one (an exception or Ctrl-C mid-write leaves the previous state).
class SqliteTransaction {
public:
    explicit SqliteTransaction(SqliteDatabase& db);
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;
    void commit();

private:
    SqliteDatabase& m_db;
    bool m_open = true;
};

} // namespace lorsa
