#include "model/tokenizer/pre_tokenizer.h"

#include <algorithm>
#include <stdexcept>

namespace lorsa {

using tokenizer_json::Json;
using tokenizer_json::Where;

namespace {

const char* const kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

Regex compile(const std::string& pattern, const Where& where)
{
    try {
        return Regex(pattern);
    } catch (const std::invalid_argument& e) {
        where.fail(e.what());
    }
}

} // namespace

PreTokenizer PreTokenizer::fromJson(const Json& json, const Where& where)
{
    PreTokenizer p;
    if (json.is_null())
        where.fail("byte-level BPE needs a ByteLevel pre_tokenizer, found none", ErrorKind::Unsupported);
    p.parse(json, where, 0);
    if (p.m_steps.empty() || p.m_steps.back().kind != Step::Kind::ByteLevel)
        where.fail("byte-level BPE needs a ByteLevel pre_tokenizer as the last step", ErrorKind::Unsupported);
    return p;
}

void PreTokenizer::parse(const Json& json, const Where& where, int depth)
{
    if (depth > 16)
        where.fail("Sequence nested too deeply");
    if (!m_steps.empty() && m_steps.back().kind == Step::Kind::ByteLevel)
        where.fail("a step after ByteLevel is not supported", ErrorKind::Unsupported);
    const auto type = tokenizer_json::typeOf(json, where);
    if (type == "Sequence") {
        const auto& list = tokenizer_json::member(json, "pretokenizers", where);
        if (!list.is_array())
            (where / "pretokenizers").fail("expected an array");
        for (std::size_t i = 0; i < list.size(); ++i)
            parse(list[i], (where / "pretokenizers").at(i), depth + 1);
    } else if (type == "ByteLevel") {
        Step s{Step::Kind::ByteLevel, compile(kGpt2Pattern, where)};
        s.addPrefixSpace = tokenizer_json::boolOr(json, "add_prefix_space", true, where);
        s.useRegex = tokenizer_json::boolOr(json, "use_regex", true, where);
        m_steps.push_back(std::move(s));
    } else if (type == "Split") {
        const auto& pattern = tokenizer_json::member(json, "pattern", where);
        const auto patternWhere = where / "pattern";
        std::string regex;
        if (pattern.is_object() && pattern.contains("Regex") && pattern["Regex"].is_string())
            regex = pattern["Regex"].get<std::string>();
        else if (pattern.is_object() && pattern.contains("String") && pattern["String"].is_string())
            regex = Regex::escape(pattern["String"].get<std::string>());
        else
            patternWhere.fail("expected {\"Regex\": ...} or {\"String\": ...}");
        Step s{Step::Kind::Split, compile(regex, patternWhere)};
        const auto behavior = tokenizer_json::stringOr(json, "behavior", "", where);
        if (behavior == "Removed")
            s.behavior = Behavior::Removed;
        else if (behavior == "Isolated")
            s.behavior = Behavior::Isolated;
        else if (behavior == "MergedWithPrevious")
            s.behavior = Behavior::MergedWithPrevious;
        else if (behavior == "MergedWithNext")
            s.behavior = Behavior::MergedWithNext;
        else if (behavior == "Contiguous")
            s.behavior = Behavior::Contiguous;
        else
            (where / "behavior").fail("unknown split behavior \"" + behavior + "\"");
        s.invert = tokenizer_json::boolOr(json, "invert", false, where);
        m_steps.push_back(std::move(s));
    } else if (type == "Digits") {
        // Rust's char::is_numeric is the Unicode N categories.
        const bool individual = tokenizer_json::boolOr(json, "individual_digits", false, where);
        Step s{Step::Kind::Split, compile(individual ? R"(\p{N})" : R"(\p{N}+)", where)};
        m_steps.push_back(std::move(s));
    } else {
        where.fail("pre_tokenizer type \"" + type + "\" is not supported (supported: ByteLevel, Split, Digits, Sequence)",
                   ErrorKind::Unsupported);
    }
}

void PreTokenizer::split(const NormalizedText& text, const Step& step, std::vector<NormalizedText>& out)
{
    // Segments covering the text, flagged as matches (after invert), as Hugging Face's Pattern.
    struct Segment {
        std::size_t begin, end;
        bool match;
    };
    std::vector<Segment> segments;
    std::size_t previous = 0;
    for (const auto& [begin, end] : step.regex.findAll(text.text)) {
        if (begin > previous)
            segments.push_back({previous, begin, step.invert});
        segments.push_back({begin, end, !step.invert});
        previous = end;
    }
    if (previous < text.text.size())
        segments.push_back({previous, text.text.size(), step.invert});

    std::vector<Segment> pieces;
    bool previousMatch = false;
    switch (step.behavior) {
    case Behavior::Isolated:
        pieces = segments;
        break;
    case Behavior::Removed:
        for (const auto& s : segments)
            if (!s.match)
                pieces.push_back(s);
        break;
    case Behavior::MergedWithPrevious:
        for (const auto& s : segments) {
            if (s.match && !previousMatch && !pieces.empty())
                pieces.back().end = s.end;
            else
                pieces.push_back(s);
            previousMatch = s.match;
        }
        break;
    case Behavior::MergedWithNext:
        for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
            if (it->match && !previousMatch && !pieces.empty())
                pieces.back().begin = it->begin;
            else
                pieces.push_back(*it);
            previousMatch = it->match;
        }
        std::reverse(pieces.begin(), pieces.end());
        break;
    case Behavior::Contiguous:
        for (const auto& s : segments) {
            if (s.match == previousMatch && !pieces.empty())
                pieces.back().end = s.end;
            else
                pieces.push_back(s);
            previousMatch = s.match;
        }
        break;
    }
    for (const auto& p : pieces)
        if (p.end > p.begin)
            out.push_back(text.slice(p.begin, p.end));
}

std::vector<NormalizedText> PreTokenizer::apply(NormalizedText text) const
{
    std::vector<NormalizedText> words;
    words.push_back(std::move(text));
    for (const auto& step : m_steps) {
        std::vector<NormalizedText> next;
        next.reserve(words.size());
        for (auto& word : words) {
            if (step.kind == Step::Kind::Split) {
                split(word, step, next);
                continue;
            }
            if (step.addPrefixSpace && !word.text.empty() && word.text.front() != ' ')
                word.prependSpace();
            if (step.useRegex)
                split(word, step, next);
            else if (!word.text.empty())
                next.push_back(std::move(word));
        }
        words = std::move(next);
    }
    return words;
}

} // namespace lorsa
