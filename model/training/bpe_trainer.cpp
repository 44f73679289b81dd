#include "model/training/bpe_trainer.h"

#include "model/core/atomic_file.h"
#include "model/core/error.h"
#include "model/tokenizer/byte_level.h"
#include "model/tokenizer/regex.h"
#include "model/tokenizer/utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <queue>
#include <unordered_map>

namespace lorsa {
namespace {

// GPT-2's pre-tokenizer pattern, as Hugging Face's ByteLevel(use_regex=true) applies it.
constexpr const char* kGpt2Pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
constexpr const char* kEndOfText = "<|endoftext|>";

using PairKey = uint64_t;

PairKey pairKey(int32_t left, int32_t right)
{
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

struct Word {
    std::vector<int32_t> symbols;
    int64_t count = 0;
    int64_t stamp = -1;  // last merge step that visited this word, to skip duplicate visits
};

struct Candidate {
    int64_t count;
    int32_t left;
    int32_t right;
};

// Highest count first; among equal counts the smaller (left, right) pair, as Hugging Face does.
struct CandidateOrder {
    bool operator()(const Candidate& a, const Candidate& b) const
    {
        if (a.count != b.count)
            return a.count < b.count;
        return std::tie(a.left, a.right) > std::tie(b.left, b.right);
    }
};

/// Byte value -> id: the bytes sorted by the code point of their printable stand-in.
std::array<int32_t, 256> byteIds(std::vector<std::string>& tokens)
{
    std::array<std::pair<char32_t, int>, 256> order{};
    for (int b = 0; b < 256; ++b) {
        const auto& text = byte_level::charFor(static_cast<unsigned char>(b));
        size_t pos = 0;
        order[static_cast<size_t>(b)] = {utf8::next(text, pos), b};
    }
    std::sort(order.begin(), order.end());
    std::array<int32_t, 256> ids{};
    for (size_t i = 0; i < order.size(); ++i) {
        ids[static_cast<size_t>(order[i].second)] = static_cast<int32_t>(i);
        tokens.push_back(byte_level::charFor(static_cast<unsigned char>(order[i].second)));
    }
    return ids;
}

std::vector<Word> countWords(const std::vector<std::string>& texts, const std::array<int32_t, 256>& ids)
{
    const Regex pattern(kGpt2Pattern);
    std::unordered_map<std::string, int64_t> counts;
    for (const auto& text : texts) {
        if (const auto bad = utf8::firstInvalidByte(text))
            throw Error(ErrorKind::InvalidInput, "tokenizer training text: invalid UTF-8 at byte offset " + std::to_string(*bad));
        for (const auto& [begin, end] : pattern.findAll(text))
            ++counts[text.substr(begin, end - begin)];
    }
    // Sorted so that the word order (and with it every container built from it) is reproducible.
    std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end());
    std::vector<Word> words;
    words.reserve(sorted.size());
    for (const auto& [text, count] : sorted) {
        Word word;
        word.count = count;
        for (const char c : text)
            word.symbols.push_back(ids[static_cast<unsigned char>(c)]);
        words.push_back(std::move(word));
    }
    return words;
}

class MergeLearner {
public:
    explicit MergeLearner(std::vector<Word> words) : m_words(std::move(words))
    {
        for (size_t w = 0; w < m_words.size(); ++w)
            countPairs(static_cast<int32_t>(w), +1, nullptr);
        for (const auto& [key, count] : m_pairCounts)
            m_queue.push({count, static_cast<int32_t>(key >> 32), static_cast<int32_t>(key & 0xffffffffu)});
    }

    /// The most frequent pair with at least \p minFrequency occurrences, merged into \p newId;
    /// false when none is left.
    bool mergeNext(int32_t newId, int64_t minFrequency, std::pair<int32_t, int32_t>& merged)
    {
        while (!m_queue.empty()) {
            const auto top = m_queue.top();
            m_queue.pop();
            const auto key = pairKey(top.left, top.right);
            const auto found = m_pairCounts.find(key);
            const int64_t current = found == m_pairCounts.end() ? 0 : found->second;
            if (current != top.count) {
                // Counts of old pairs only ever fall, so a stale entry is re-queued at its true count.
                if (current > 0)
                    m_queue.push({current, top.left, top.right});
                continue;
            }
            if (current < minFrequency)
                return false;
            apply(top.left, top.right, newId);
            merged = {top.left, top.right};
            return true;
        }
        return false;
    }

private:
    void countPairs(int32_t w, int sign, std::vector<PairKey>* created)
    {
        const auto& word = m_words[static_cast<size_t>(w)];
        for (size_t i = 0; i + 1 < word.symbols.size(); ++i) {
            const auto key = pairKey(word.symbols[i], word.symbols[i + 1]);
            auto& count = m_pairCounts[key];
            count += sign * word.count;
            if (sign > 0) {
                auto& list = m_where[key];
                if (list.empty() || list.back() != w)
                    list.push_back(w);
                if (created)
                    created->push_back(key);
            }
        }
    }

    void apply(int32_t left, int32_t right, int32_t newId)
    {
        const auto key = pairKey(left, right);
        const auto words = m_where[key];  // copy: countPairs appends to m_where
        std::vector<PairKey> touched;
        for (const int32_t w : words) {
            auto& word = m_words[static_cast<size_t>(w)];
            if (word.stamp == newId)
                continue;
            word.stamp = newId;
            bool present = false;
            for (size_t i = 0; i + 1 < word.symbols.size() && !present; ++i)
                present = word.symbols[i] == left && word.symbols[i + 1] == right;
            if (!present)
                continue;
            // Re-count the whole (short) word: simpler than patching neighbours and exact for
            // overlapping runs such as "a a a".
            countPairs(w, -1, nullptr);
            std::vector<int32_t> out;
            out.reserve(word.symbols.size());
            for (size_t i = 0; i < word.symbols.size(); ++i) {
                if (i + 1 < word.symbols.size() && word.symbols[i] == left && word.symbols[i + 1] == right) {
                    out.push_back(newId);
                    ++i;
                } else {
                    out.push_back(word.symbols[i]);
                }
            }
            word.symbols = std::move(out);
            countPairs(w, +1, &touched);
        }
        m_pairCounts.erase(key);
        m_where.erase(key);
        std::sort(touched.begin(), touched.end());
        touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
        for (const auto pair : touched) {
            const auto l = static_cast<int32_t>(pair >> 32), r = static_cast<int32_t>(pair & 0xffffffffu);
            if (l == newId || r == newId)
                m_queue.push({m_pairCounts[pair], l, r});
        }
    }

    std::vector<Word> m_words;
    std::unordered_map<PairKey, int64_t> m_pairCounts;
    std::unordered_map<PairKey, std::vector<int32_t>> m_where;  // words that hold (or held) the pair
    std::priority_queue<Candidate, std::vector<Candidate>, CandidateOrder> m_queue;
};

} // namespace

BpeVocabulary trainByteLevelBpe(const std::vector<std::string>& texts, const BpeTrainerOptions& options)
{
    if (options.vocabSize < 257)
        throw Error(ErrorKind::InvalidInput, "tokenizer vocab size " + std::to_string(options.vocabSize) +
                                                 " is too small: it needs 256 byte tokens + <|endoftext|>");
    if (options.vocabSize > (int64_t(1) << 30))
        throw Error(ErrorKind::InvalidInput, "tokenizer vocab size " + std::to_string(options.vocabSize) + " is too large");
    BpeVocabulary vocabulary;
    const auto ids = byteIds(vocabulary.tokens);
    MergeLearner learner(countWords(texts, ids));
    std::pair<int32_t, int32_t> merged;
    while (static_cast<int64_t>(vocabulary.tokens.size()) < options.vocabSize - 1 &&
           learner.mergeNext(static_cast<int32_t>(vocabulary.tokens.size()), std::max<int64_t>(1, options.minFrequency), merged)) {
        const auto& left = vocabulary.tokens[static_cast<size_t>(merged.first)];
        const auto& right = vocabulary.tokens[static_cast<size_t>(merged.second)];
        vocabulary.merges.emplace_back(left, right);
        vocabulary.tokens.push_back(left + right);
    }
    vocabulary.endOfTextId = static_cast<int64_t>(vocabulary.tokens.size());
    return vocabulary;
}

std::string bpeTokenizerJson(const BpeVocabulary& vocabulary)
{
    using Json = nlohmann::ordered_json;
    Json vocab = Json::object();
    for (size_t i = 0; i < vocabulary.tokens.size(); ++i)
        vocab[vocabulary.tokens[i]] = i;
    vocab[kEndOfText] = vocabulary.endOfTextId;
    Json merges = Json::array();
    for (const auto& [left, right] : vocabulary.merges)
        merges.push_back(left + " " + right);
    const Json byteLevel = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
    const Json json = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", Json::array({{{"id", vocabulary.endOfTextId}, {"content", kEndOfText}, {"single_word", false},
                                       {"lstrip", false}, {"rstrip", false}, {"normalized", false}, {"special", true}}})},
        {"normalizer", nullptr},
        {"pre_tokenizer", byteLevel},
        {"post_processor", nullptr},
        {"decoder", byteLevel},
        {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", nullptr},
                   {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", false},
                   {"vocab", vocab}, {"merges", merges}}}};
    return json.dump(2) + "\n";
}

void writeBpeTokenizer(const std::filesystem::path& file, const BpeVocabulary& vocabulary)
{
    writeFileAtomically(file, bpeTokenizerJson(vocabulary));
}

} // namespace lorsa
