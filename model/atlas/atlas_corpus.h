#pragma once
/// \file
/// The corpus of an atlas cut into contexts, exactly as docs/ATLAS.md specifies: documents from
/// .jsonl lines ("text") or blank-line separated UTF-8 text, numbered from 0 across the files in
/// order; each tokenized without BOS and cut into consecutive windows of C-1 tokens; a context is
/// BOS + one window, identified by (document, start). No LibTorch.

#include "model/tokenizer/tokenizer.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lorsa {

/// One context: its window's tokens are AtlasCorpus::tokens[offset, offset + length).
struct ContextSpan {
    int64_t document = 0;
    int64_t start = 0;      ///< offset of the window's first token in its document
    int64_t length = 0;     ///< window tokens (the context has length + 1 with its BOS)
    int64_t offset = 0;
};

struct CorpusOptions {
    std::vector<std::filesystem::path> files;
    int64_t context = 128;      ///< C: BOS + up to C-1 tokens
    int64_t maxTokens = 0;      ///< 0: all; else whole contexts while their tokens stay <= maxTokens
    int64_t shardIndex = 0;     ///< documents d with d % shardCount == shardIndex
    int64_t shardCount = 1;
};

struct AtlasCorpus {
    std::vector<std::string> fileNames;     ///< as given
    std::string fingerprint;                ///< FNV-1a of every file's name and bytes, hex
    int64_t documents = 0;                  ///< documents in all files (every shard)
    int64_t bos = 0;
    std::vector<ContextSpan> contexts;      ///< this shard's, in (document, start) order
    std::vector<int32_t> tokens;            ///< window tokens of every context, concatenated
    int64_t tokenCount = 0;                 ///< sum of the contexts' lengths (BOS excluded)

    /// BOS + the window of context \p index.
    std::vector<int64_t> contextTokens(size_t index) const;
    /// The index of context (document, start), or -1.
    int64_t find(int64_t document, int64_t start) const;
};

/// The documents of \p files in order. Throws Error(InvalidFile) naming the file (and line) for
/// a missing, empty, binary or non-UTF-8 file or a .jsonl line without a string "text".
std::vector<std::string> readAtlasDocuments(const std::vector<std::filesystem::path>& files, std::string* fingerprint = nullptr);

/// Reads, shards, tokenizes and cuts the corpus. \p bos: the model's BOS id.
AtlasCorpus buildAtlasCorpus(const CorpusOptions& options, const Tokenizer& tokenizer, int64_t bos);

} // namespace lorsa
