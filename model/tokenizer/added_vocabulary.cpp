#include "model/tokenizer/added_vocabulary.h"

#include "model/tokenizer/normalized_text.h"
#include "model/tokenizer/normalizer.h"
#include "model/tokenizer/utf8.h"

#include <utf8proc.h>

#include <algorithm>

namespace lorsa {

using tokenizer_json::Json;
using tokenizer_json::Where;

namespace {

/// The character before byte \p pos of valid UTF-8 \p text.
char32_t charBefore(std::string_view text, std::size_t pos, std::size_t& start)
{
    start = pos - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
        --start;
    auto p = start;
    return utf8::next(text, p);
}

/// Rust's "word character" test used by single_word: alphanumeric or '_'.
bool isWordChar(char32_t cp)
{
    if (cp == '_')
        return true;
    const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    return (category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO)
        || (category >= UTF8PROC_CATEGORY_ND && category <= UTF8PROC_CATEGORY_NO);
}

} // namespace

AddedVocabulary AddedVocabulary::fromJson(const Json& json, const Normalizer& normalizer, const Where& where)
{
    AddedVocabulary v;
    if (json.is_null())
        return v;
    if (!json.is_array())
        where.fail("expected an array");
    for (std::size_t i = 0; i < json.size(); ++i) {
        const auto w = where.at(i);
        const auto& entry = json[i];
        AddedToken t;
        t.id = tokenizer_json::tokenId(tokenizer_json::member(entry, "id", w), w / "id");
        const auto& content = tokenizer_json::member(entry, "content", w);
        if (!content.is_string() || content.get<std::string>().empty())
            (w / "content").fail("expected a non-empty string");
        t.content = content.get<std::string>();
        t.singleWord = tokenizer_json::boolOr(entry, "single_word", false, w);
        t.lstrip = tokenizer_json::boolOr(entry, "lstrip", false, w);
        t.rstrip = tokenizer_json::boolOr(entry, "rstrip", false, w);
        t.special = tokenizer_json::boolOr(entry, "special", false, w);
        t.normalized = tokenizer_json::boolOr(entry, "normalized", !t.special, w);
        auto pattern = t.content;
        if (t.normalized) {
            auto n = NormalizedText::fromOriginal(t.content, 0);
            normalizer.apply(n);
            pattern = n.text;
        }
        if (!pattern.empty())
            v.m_patterns[t.normalized ? 1 : 0].push_back({pattern, v.m_tokens.size()});
        v.m_tokens.push_back(std::move(t));
    }
    for (auto& list : v.m_patterns)
        std::stable_sort(list.begin(), list.end(), [](const Pattern& a, const Pattern& b) { return a.text.size() > b.text.size(); });
    return v;
}

std::vector<AddedVocabulary::Match> AddedVocabulary::find(std::string_view text, bool normalized) const
{
    const auto& patterns = m_patterns[normalized ? 1 : 0];
    std::vector<Match> matches;
    if (patterns.empty())
        return matches;
    std::size_t consumed = 0; // end of the previous match: matches never overlap
    for (std::size_t pos = 0; pos < text.size();) {
        const Pattern* found = nullptr;
        for (const auto& p : patterns) { // longest first
            if (text.compare(pos, p.text.size(), p.text) == 0) {
                found = &p;
                break;
            }
        }
        if (!found) {
            pos += utf8::sequenceLength(static_cast<unsigned char>(text[pos]));
            continue;
        }
        const auto& token = m_tokens[found->token];
        std::size_t begin = pos, end = pos + found->text.size();
        pos = end;
        if (token.singleWord) {
            std::size_t unused = 0;
            const bool wordBefore = begin > 0 && isWordChar(charBefore(text, begin, unused));
            std::size_t after = end;
            const bool wordAfter = end < text.size() && isWordChar(utf8::next(text, after));
            if (wordBefore || wordAfter)
                continue; // not a whole word: this stretch is left to the pre-tokenizer
        }
        if (token.lstrip) {
            // Swallow the whitespace before it, but never into the previous match.
            while (begin > consumed) {
                std::size_t start = 0;
                if (!utf8::isWhitespace(charBefore(text, begin, start)))
                    break;
                begin = start;
            }
        }
        if (token.rstrip) {
            while (end < text.size()) {
                std::size_t after = end;
                if (!utf8::isWhitespace(utf8::next(text, after)))
                    break;
                end = after;
            }
            pos = end;
        }
        matches.push_back({begin, end, token.id});
        consumed = end;
    }
    return matches;
}

} // namespace lorsa
