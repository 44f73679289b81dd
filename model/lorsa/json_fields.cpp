#include "model/lorsa/json_fields.h"

#include "model/core/error.h"
#include "model/core/json_nesting.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace lorsa {

namespace {
// A Lorsa config is a few kB; anything far larger is not one and is not worth parsing.
constexpr std::uintmax_t kMaxConfigBytes = 16u << 20;
} // namespace

bool JsonFields::has(const std::string& key) const
{
    const auto it = m_json.find(key);
    return it != m_json.end() && !it->is_null();
}

const nlohmann::json& JsonFields::require(const std::string& key) const
{
    if (!has(key))
        fail(key, "is missing");
    return m_json.at(key);
}

void JsonFields::fail(const std::string& key, const std::string& problem) const
{
    throw Error(ErrorKind::InvalidConfig, m_file.string() + ": key '" + key + "' " + problem);
}

int64_t JsonFields::integer(const std::string& key) const
{
    const auto& value = require(key);
    if (value.is_number_integer())
        return value.get<int64_t>();
    // JSON writers may emit 64.0 for an integer; accept exact integral floats only.
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e15)
            return static_cast<int64_t>(d);
    }
    fail(key, "must be an integer, found " + value.dump());
}

int64_t JsonFields::integer(const std::string& key, int64_t fallback) const
{
    return has(key) ? integer(key) : fallback;
}

double JsonFields::number(const std::string& key) const
{
    const auto& value = require(key);
    if (!value.is_number())
        fail(key, "must be a number, found " + value.dump());
    const double d = value.get<double>();
    if (!std::isfinite(d))
        fail(key, "must be finite");
    return d;
}

double JsonFields::number(const std::string& key, double fallback) const
{
    return has(key) ? number(key) : fallback;
}

bool JsonFields::boolean(const std::string& key, bool fallback) const
{
    if (!has(key))
        return fallback;
    const auto& value = m_json.at(key);
    if (!value.is_boolean())
        fail(key, "must be true or false, found " + value.dump());
    return value.get<bool>();
}

std::string JsonFields::string(const std::string& key) const
{
    const auto& value = require(key);
    if (!value.is_string())
        fail(key, "must be a string, found " + value.dump());
    return value.get<std::string>();
}

std::string JsonFields::string(const std::string& key, const std::string& fallback) const
{
    return has(key) ? string(key) : fallback;
}

const nlohmann::json& JsonFields::object(const std::string& key) const
{
    const auto& value = require(key);
    if (!value.is_object())
        fail(key, "must be an object, found " + value.dump());
    return value;
}

nlohmann::json readJsonObject(const std::filesystem::path& file)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec)
        throw Error(ErrorKind::InvalidFile, file.string() + ": cannot read (" + ec.message() + ")");
    if (size > kMaxConfigBytes)
        throw Error(ErrorKind::InvalidFile, file.string() + ": too large for a config (" + std::to_string(size) + " bytes)");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::InvalidFile, file.string() + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    if (jsonNestingDepth(text.str()) > kMaxJsonNesting)
        throw Error(ErrorKind::InvalidFile, file.string() + ": JSON nested deeper than " + std::to_string(kMaxJsonNesting) + " levels");
    nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded())
        throw Error(ErrorKind::InvalidFile, file.string() + ": not valid JSON");
    if (!json.is_object())
        throw Error(ErrorKind::InvalidFile, file.string() + ": expected a JSON object");
    return json;
}

} // namespace lorsa
