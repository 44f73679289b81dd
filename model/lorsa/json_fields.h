#pragma once
// Typed, checked access to the keys of a checkpoint's config.json, so that every bad value
// becomes an Error naming the file and the key instead of a nlohmann exception or a silent 0.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace lorsa {

class JsonFields {
public:
    JsonFields(const nlohmann::json& json, std::filesystem::path file) : m_json(json), m_file(std::move(file)) {}

    bool has(const std::string& key) const;  ///< present and not null
    int64_t integer(const std::string& key) const;
    int64_t integer(const std::string& key, int64_t fallback) const;
    double number(const std::string& key) const;
    double number(const std::string& key, double fallback) const;
    bool boolean(const std::string& key, bool fallback) const;
    std::string string(const std::string& key) const;
    std::string string(const std::string& key, const std::string& fallback) const;
    const nlohmann::json& object(const std::string& key) const;

    /// Error(InvalidConfig) "<file>: key '<key>' <problem>".
    [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
    const std::filesystem::path& file() const { return m_file; }

private:
    const nlohmann::json& require(const std::string& key) const;

    const nlohmann::json& m_json;
    std::filesystem::path m_file;
};

/// Reads and parses a JSON object file (size-capped); Error(InvalidFile) naming it otherwise.
nlohmann::json readJsonObject(const std::filesystem::path& file);

} // namespace lorsa
