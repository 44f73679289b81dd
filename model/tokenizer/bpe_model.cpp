#include "model/tokenizer/bpe_model.h"

#include "model/tokenizer/byte_level.h"

#include <cstdio>
#include <queue>

namespace lorsa {

using tokenizer_json::Json;
using tokenizer_json::Where;

namespace {

uint64_t pairKey(int64_t left, int64_t right)
{
    return (static_cast<uint64_t>(left) << 32) | static_cast<uint64_t>(right);
}

} // namespace

std::unique_ptr<BpeModel> BpeModel::fromJson(const Json& json, const Where& where)
{
    const auto type = json.is_object() && !json.contains("type") ? std::string("BPE") : tokenizer_json::typeOf(json, where);
    if (type != "BPE")
        where.fail("model type \"" + type + "\" is not supported (only byte-level BPE)", ErrorKind::Unsupported);
    auto model = std::make_unique<BpeModel>();
    const auto& vocab = tokenizer_json::member(json, "vocab", where);
    if (!vocab.is_object() || vocab.empty())
        (where / "vocab").fail("expected a non-empty object of token: id");
    model->m_vocab.reserve(vocab.size());
    for (const auto& [token, id] : vocab.items())
        model->m_vocab.emplace(token, tokenizer_json::tokenId(id, where / "vocab" / token));
    if (tokenizer_json::stringOr(json, "continuing_subword_prefix", "", where) != ""
        || tokenizer_json::stringOr(json, "end_of_word_suffix", "", where) != "")
        where.fail("continuing_subword_prefix and end_of_word_suffix are not supported with byte-level BPE",
                   ErrorKind::Unsupported);
    if (json.contains("dropout") && !json["dropout"].is_null() && !(json["dropout"].is_number() && json["dropout"].get<double>() == 0.0))
        (where / "dropout").fail("BPE dropout is not supported for inference", ErrorKind::Unsupported);
    model->m_ignoreMerges = tokenizer_json::boolOr(json, "ignore_merges", false, where);
    model->m_fuseUnk = tokenizer_json::boolOr(json, "fuse_unk", false, where);
    const bool byteFallback = tokenizer_json::boolOr(json, "byte_fallback", false, where);
    const auto unk = tokenizer_json::stringOr(json, "unk_token", "", where);
    if (!unk.empty()) {
        model->m_unk = model->tokenToId(unk);
        if (!model->m_unk)
            (where / "unk_token").fail("\"" + unk + "\" is not in the vocab");
    }
    for (int b = 0; b < 256; ++b) {
        model->m_byteIds[static_cast<std::size_t>(b)] = model->tokenToId(byte_level::charFor(static_cast<unsigned char>(b)));
        if (byteFallback) {
            char name[8];
            std::snprintf(name, sizeof(name), "<0x%02X>", b);
            model->m_fallbackIds[static_cast<std::size_t>(b)] = model->tokenToId(name);
        }
    }

    const auto mergesWhere = where / "merges";
    const auto& merges = json.contains("merges") ? json["merges"] : Json::array();
    if (!merges.is_array())
        mergesWhere.fail("expected an array");
    model->m_merges.reserve(merges.size());
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& m = merges[rank];
        std::string left, right;
        if (m.is_string()) {
            const auto text = m.get<std::string>();
            const auto space = text.find(' ');
            if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos)
                mergesWhere.at(rank).fail("expected \"left right\", found \"" + text + "\"");
            left = text.substr(0, space);
            right = text.substr(space + 1);
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            left = m[0].get<std::string>();
            right = m[1].get<std::string>();
        } else {
            mergesWhere.at(rank).fail("expected \"left right\" or [left, right]");
        }
        const auto leftId = model->tokenToId(left), rightId = model->tokenToId(right), mergedId = model->tokenToId(left + right);
        if (!leftId || !rightId)
            mergesWhere.at(rank).fail("names a token not in the vocab: \"" + (leftId ? right : left) + "\"");
        if (!mergedId)
            mergesWhere.at(rank).fail("its result \"" + left + right + "\" is not in the vocab");
        // A later duplicate replaces an earlier one, as Hugging Face's map construction does.
        model->m_merges.insert_or_assign(pairKey(*leftId, *rightId), Merge{static_cast<uint32_t>(rank), *mergedId});
    }
    return model;
}

std::optional<int64_t> BpeModel::tokenToId(std::string_view token) const
{
    const auto it = m_vocab.find(std::string(token));
    return it == m_vocab.end() ? std::nullopt : std::optional<int64_t>(it->second);
}

std::vector<BpeModel::Piece> BpeModel::encodeWord(std::string_view rawBytes) const
{
    const auto spelled = byte_level::encode(rawBytes);
    if (m_ignoreMerges) {
        if (const auto id = tokenToId(spelled))
            return {Piece{*id, 0, rawBytes.size()}};
    }
    {
        const std::lock_guard lock(m_cacheMutex);
        if (const auto it = m_cache.find(spelled); it != m_cache.end())
            return it->second;
    }
    auto pieces = merge(rawBytes);
    const std::lock_guard lock(m_cacheMutex);
    if (m_cache.size() < kCacheCapacity)
        m_cache.emplace(spelled, pieces);
    return pieces;
}

std::vector<BpeModel::Piece> BpeModel::merge(std::string_view rawBytes) const
{
    // A doubly linked list of symbols and a queue of candidate merges ordered by (rank,
    // position): the lowest-ranked pair is merged first, leftmost on ties, as Hugging Face does.
    struct Symbol {
        int64_t id;
        std::size_t begin, end;
        int prev, next;
    };
    std::vector<Symbol> symbols;
    symbols.reserve(rawBytes.size());
    for (std::size_t i = 0; i < rawBytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(rawBytes[i]);
        std::optional<int64_t> id = m_byteIds[b];
        if (!id)
            id = m_fallbackIds[b];
        if (!id && m_unk) {
            if (m_fuseUnk && !symbols.empty() && symbols.back().id == *m_unk && symbols.back().end == i) {
                symbols.back().end = i + 1;
                continue;
            }
            id = m_unk;
        }
        if (!id)
            continue;
        symbols.push_back({*id, i, i + 1, static_cast<int>(symbols.size()) - 1, static_cast<int>(symbols.size()) + 1});
    }
    if (!symbols.empty())
        symbols.back().next = -1;

    struct Candidate {
        uint32_t rank;
        int pos;
        int64_t merged;
        bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
    const auto consider = [&](int pos) {
        const int next = symbols[static_cast<std::size_t>(pos)].next;
        if (next < 0)
            return;
        const auto it = m_merges.find(pairKey(symbols[static_cast<std::size_t>(pos)].id, symbols[static_cast<std::size_t>(next)].id));
        if (it != m_merges.end())
            queue.push({it->second.rank, pos, it->second.merged});
    };
    for (int i = 0; i + 1 < static_cast<int>(symbols.size()); ++i)
        consider(i);
    while (!queue.empty()) {
        const auto top = queue.top();
        queue.pop();
        auto& left = symbols[static_cast<std::size_t>(top.pos)];
        if (left.end == left.begin || left.next < 0)
            continue; // merged away, or nothing to its right any more
        auto& right = symbols[static_cast<std::size_t>(left.next)];
        const auto it = m_merges.find(pairKey(left.id, right.id));
        if (it == m_merges.end() || it->second.merged != top.merged)
            continue; // stale: one side changed since this candidate was queued
        left.id = top.merged;
        left.end = right.end;
        right.end = right.begin; // marks it dead
        left.next = right.next;
        if (left.next >= 0)
            symbols[static_cast<std::size_t>(left.next)].prev = top.pos;
        if (left.prev >= 0)
            consider(left.prev);
        consider(top.pos);
    }
    std::vector<Piece> pieces;
    for (int i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[static_cast<std::size_t>(i)].next)
        pieces.push_back({symbols[static_cast<std::size_t>(i)].id, symbols[static_cast<std::size_t>(i)].begin, symbols[static_cast<std::size_t>(i)].end});
    return pieces;
}

} // namespace lorsa
