#pragma once
/// \file
/// The tokenizer.json "added_tokens": matched before pre-tokenisation (leftmost, then longest),
/// honouring single_word, lstrip, rstrip and normalized, never split by BPE.

#include "model/tokenizer/tokenizer_json.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lorsa {

class Normalizer;

struct AddedToken {
    int64_t id = 0;
    std::string content;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
    bool special = false;
};

class AddedVocabulary {
public:
    /// A match: bytes [begin, end) of the searched text (widened by lstrip/rstrip) hold token \p id.
    struct Match {
        std::size_t begin, end;
        int64_t id;
    };

    /// Parses "added_tokens"; the contents of normalized tokens are normalised with \p normalizer.
    static AddedVocabulary fromJson(const tokenizer_json::Json& json, const Normalizer& normalizer, const tokenizer_json::Where& where);

    const std::vector<AddedToken>& tokens() const { return m_tokens; }

    /// Matches of the tokens with normalized == \p normalized in \p text (valid UTF-8).
    std::vector<Match> find(std::string_view text, bool normalized) const;

private:
    struct Pattern {
        std::string text; // the content, normalised for normalized tokens
        std::size_t token;
    };
    std::vector<AddedToken> m_tokens;
    std::vector<Pattern> m_patterns[2]; // [normalized], longest first
};

} // namespace lorsa
