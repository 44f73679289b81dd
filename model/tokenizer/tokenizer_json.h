#pragma once
/// \file
/// Checked access to the members of a tokenizer.json document: every failure is an
/// Error(InvalidFile) naming the file and the JSON path.

#include "model/core/error.h"

#include <nlohmann/json.hpp>

#include <string>

namespace lorsa::tokenizer_json {

using Json = nlohmann::json;

/// Where we are in a file, for messages: "tokenizer.json: pre_tokenizer.pretokenizers[1]".
struct Where {
    std::string file;
    std::string path;
    Where operator/(const std::string& key) const { return {file, path.empty() ? key : path + "." + key}; }
    Where at(std::size_t index) const { return {file, path + "[" + std::to_string(index) + "]"}; }
    [[noreturn]] void fail(const std::string& problem, ErrorKind kind = ErrorKind::InvalidFile) const;
};

/// The object member \p key of \p object, which must exist.
const Json& member(const Json& object, const char* key, const Where& where);
/// The string member \p key (or \p fallback when absent or null).
std::string stringOr(const Json& object, const char* key, const std::string& fallback, const Where& where);
/// The boolean member \p key (or \p fallback when absent or null).
bool boolOr(const Json& object, const char* key, bool fallback, const Where& where);
/// The type string of a component object.
std::string typeOf(const Json& component, const Where& where);
/// An integer token id within [0, 2^31).
int64_t tokenId(const Json& value, const Where& where);

} // namespace lorsa::tokenizer_json
