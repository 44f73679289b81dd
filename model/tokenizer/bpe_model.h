#pragma once
/// \file
/// The tokenizer.json "model" of type BPE over byte-level words: vocab, merges (as "a b"
/// strings or [a, b] arrays), ignore_merges, unk_token and byte_fallback, with a per-word cache.

#include "model/tokenizer/tokenizer_json.h"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lorsa {

class BpeModel {
public:
    /// One output token and the bytes [begin, end) of the word it covers.
    struct Piece {
        int64_t id;
        std::size_t begin, end;
    };

    /// Parses "model"; other model types are Error(Unsupported) naming the type.
    static std::unique_ptr<BpeModel> fromJson(const tokenizer_json::Json& json, const tokenizer_json::Where& where);

    /// Encodes one pre-token word given as raw bytes; pieces are in order (a byte without a
    /// token, unk_token or byte fallback is dropped, as Hugging Face does).
    std::vector<Piece> encodeWord(std::string_view rawBytes) const;

    std::optional<int64_t> tokenToId(std::string_view token) const;
    const std::unordered_map<std::string, int64_t>& vocab() const { return m_vocab; }

private:
    struct Merge {
        uint32_t rank;
        int64_t merged;
    };
    std::vector<Piece> merge(std::string_view rawBytes) const;

    std::unordered_map<std::string, int64_t> m_vocab;
    std::unordered_map<uint64_t, Merge> m_merges; // key: (left id << 32) | right id
    std::array<std::optional<int64_t>, 256> m_byteIds;     // byte-level character of each byte
    std::array<std::optional<int64_t>, 256> m_fallbackIds; // <0xXX> tokens, with byte_fallback
    std::optional<int64_t> m_unk;
    bool m_fuseUnk = false;
    bool m_ignoreMerges = false;

    static constexpr std::size_t kCacheCapacity = 10000;
    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<Piece>> m_cache;
};

} // namespace lorsa
