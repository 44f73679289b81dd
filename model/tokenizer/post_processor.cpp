#include "model/tokenizer/post_processor.h"

#include "model/tokenizer/utf8.h"

#include <algorithm>

namespace lorsa {

using tokenizer_json::Json;
using tokenizer_json::Where;

PostProcessor PostProcessor::fromJson(const Json& json, const Where& where)
{
    PostProcessor p;
    if (!json.is_null())
        p.parse(json, where, 0);
    return p;
}

void PostProcessor::parse(const Json& json, const Where& where, int depth)
{
    if (depth > 16)
        where.fail("Sequence nested too deeply");
    const auto type = tokenizer_json::typeOf(json, where);
    if (type == "Sequence") {
        const auto& list = tokenizer_json::member(json, "processors", where);
        if (!list.is_array())
            (where / "processors").fail("expected an array");
        for (std::size_t i = 0; i < list.size(); ++i)
            parse(list[i], (where / "processors").at(i), depth + 1);
    } else if (type == "ByteLevel") {
        Step s;
        s.trimOffsets = tokenizer_json::boolOr(json, "trim_offsets", true, where);
        s.addPrefixSpace = tokenizer_json::boolOr(json, "add_prefix_space", true, where);
        m_steps.push_back(s);
    } else if (type == "TemplateProcessing") {
        const auto& specials = tokenizer_json::member(json, "special_tokens", where);
        if (!specials.is_object())
            (where / "special_tokens").fail("expected an object");
        const auto& single = tokenizer_json::member(json, "single", where);
        const auto singleWhere = where / "single";
        if (!single.is_array())
            singleWhere.fail("expected an array of {SpecialToken} / {Sequence} items");
        Step s;
        s.isTemplate = true;
        for (std::size_t i = 0; i < single.size(); ++i) {
            const auto w = singleWhere.at(i);
            const auto& item = single[i];
            if (item.is_object() && item.contains("Sequence")) {
                const auto name = tokenizer_json::stringOr(item["Sequence"], "id", "", w / "Sequence");
                if (name != "A")
                    (w / "Sequence").fail("the single template can only hold sequence A, found \"" + name + "\"");
                s.single.emplace_back(std::nullopt);
            } else if (item.is_object() && item.contains("SpecialToken")) {
                const auto name = tokenizer_json::stringOr(item["SpecialToken"], "id", "", w / "SpecialToken");
                if (!specials.contains(name))
                    (w / "SpecialToken").fail("\"" + name + "\" is not in special_tokens");
                const auto specialWhere = where / "special_tokens" / name;
                const auto& ids = tokenizer_json::member(specials[name], "ids", specialWhere);
                if (!ids.is_array() || ids.empty())
                    (specialWhere / "ids").fail("expected a non-empty array of ids");
                std::vector<int64_t> list;
                for (std::size_t k = 0; k < ids.size(); ++k)
                    list.push_back(tokenizer_json::tokenId(ids[k], (specialWhere / "ids").at(k)));
                s.single.emplace_back(std::move(list));
            } else {
                w.fail("expected {\"SpecialToken\": ...} or {\"Sequence\": ...}");
            }
        }
        if (std::count(s.single.begin(), s.single.end(), std::nullopt) != 1)
            singleWhere.fail("the single template must hold $A exactly once");
        m_steps.push_back(std::move(s));
    } else {
        where.fail("post_processor type \"" + type + "\" is not supported (supported: TemplateProcessing, ByteLevel, Sequence)",
                   ErrorKind::Unsupported);
    }
}

void PostProcessor::apply(std::vector<int64_t>& ids, std::vector<ByteSpan>& spans, bool addSpecialTokens,
                          const std::function<std::string(int64_t)>& tokenOf) const
{
    for (const auto& step : m_steps) {
        if (step.isTemplate) {
            if (!addSpecialTokens)
                continue;
            std::vector<int64_t> outIds;
            std::vector<ByteSpan> outSpans;
            for (const auto& item : step.single) {
                if (!item) {
                    outIds.insert(outIds.end(), ids.begin(), ids.end());
                    outSpans.insert(outSpans.end(), spans.begin(), spans.end());
                } else {
                    outIds.insert(outIds.end(), item->begin(), item->end());
                    outSpans.insert(outSpans.end(), item->size(), ByteSpan{0, 0});
                }
            }
            ids = std::move(outIds);
            spans = std::move(outSpans);
            continue;
        }
        if (!step.trimOffsets)
            continue;
        // Hugging Face's ByteLevel::process_offsets: spans leave out leading/trailing spaces.
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const auto token = tokenOf(ids[i]);
            std::vector<char32_t> chars;
            for (std::size_t pos = 0; pos < token.size();)
                chars.push_back(utf8::next(token, pos));
            const auto isSpace = [](char32_t c) { return c == 0x120 || utf8::isWhitespace(c); };
            int64_t leading = 0, trailing = 0;
            while (leading < static_cast<int64_t>(chars.size()) && isSpace(chars[static_cast<std::size_t>(leading)]))
                ++leading;
            while (trailing < static_cast<int64_t>(chars.size()) && isSpace(chars[chars.size() - 1 - static_cast<std::size_t>(trailing)]))
                ++trailing;
            auto& span = spans[i];
            if (leading > 0) {
                const bool isFirst = i == 0 || span.first == 0;
                if (isFirst && step.addPrefixSpace && leading == 1)
                    leading = 0;
                span.first = std::min(span.first + leading, span.second);
            }
            if (trailing > 0 && span.second >= trailing)
                span.second = std::max(span.second - trailing, span.first);
        }
    }
}

std::optional<int64_t> PostProcessor::bosId() const
{
    for (const auto& step : m_steps)
        if (step.isTemplate && step.single.front())
            return step.single.front()->front();
    return std::nullopt;
}

std::vector<int64_t> PostProcessor::templateIds() const
{
    std::vector<int64_t> all;
    for (const auto& step : m_steps)
        for (const auto& item : step.single)
            if (item)
                all.insert(all.end(), item->begin(), item->end());
    return all;
}

} // namespace lorsa
