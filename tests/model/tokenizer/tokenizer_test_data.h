#pragma once
// Shared helpers of the tokenizer tests: the committed tokenizers under tests/data/tokenizers.

#include "model/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace lorsa::test {

inline std::filesystem::path tokenizerData(const std::string& file)
{
    const char* root = std::getenv("LORSA_TEST_DATA");
    return std::filesystem::path(root ? root : "tests/data") / "tokenizers" / file;
}

inline nlohmann::json readJson(const std::filesystem::path& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

/// A committed tokenizer.json, edited by \p edit, loaded from text.
template <typename Edit>
Tokenizer editedTokenizer(const std::string& file, Edit edit)
{
    auto json = readJson(tokenizerData(file));
    edit(json);
    return Tokenizer::fromJsonText(json.dump(), file);
}

} // namespace lorsa::test
