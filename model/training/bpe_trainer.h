#pragma once
/// \file
/// Training a GPT-2 style byte-level BPE tokenizer on a corpus and writing it as a standard
/// Hugging Face tokenizer.json (loaded by Tokenizer::fromFile like any other).

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace lorsa {

struct BpeTrainerOptions {
    int64_t vocabSize = 4096;   ///< total, including the 256 byte tokens and <|endoftext|>
    int64_t minFrequency = 2;   ///< a pair seen fewer times than this is never merged
};

/// A trained vocabulary: tokens in id order (byte-level spelling), the merges in the order they
/// were learnt, and the id of the special token `<|endoftext|>` (the last id).
struct BpeVocabulary {
    std::vector<std::string> tokens;                          // [V-1] ids 0..V-2; <|endoftext|> is V-1
    std::vector<std::pair<std::string, std::string>> merges;  // [V-257]
    int64_t endOfTextId = 0;
};

/// Learns merges over the GPT-2-regex pre-tokens of \p texts (valid UTF-8): ids 0..255 are the
/// bytes in GPT-2's byte-to-unicode order, then the merges by descending pair frequency, ties
/// broken towards the smaller (left id, right id), so training is deterministic. Stops early
/// when no pair reaches minFrequency. Throws Error(InvalidInput) for a vocab size below 257.
BpeVocabulary trainByteLevelBpe(const std::vector<std::string>& texts, const BpeTrainerOptions& options);

/// The tokenizer.json text for \p vocabulary (ByteLevel pre-tokenizer and decoder, BPE model,
/// `<|endoftext|>` as a special added token).
std::string bpeTokenizerJson(const BpeVocabulary& vocabulary);

/// Writes bpeTokenizerJson(vocabulary) to \p file atomically.
void writeBpeTokenizer(const std::filesystem::path& file, const BpeVocabulary& vocabulary);

} // namespace lorsa
