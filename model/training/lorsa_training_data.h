#pragma once
/// \file
/// Token rows for Lorsa training streamed from corpus files in bounded memory: documents are
/// read one at a time (UTF-8 text, documents separated by blank lines), tokenized, packed into
/// rows with TokenPacker, and drawn at random from a shuffle buffer of a fixed number of rows.
/// The whole position of the stream (file, byte offset, epoch, partial row, buffer, random
/// generator) can be saved and restored, so that a resumed run sees the same batches.

#include "model/tokenizer/tokenizer.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace lorsa {

class TokenPacker;

struct LorsaTrainingDataOptions {
    std::vector<std::filesystem::path> files;
    int64_t rowLength = 128;                  ///< tokens per row, BOS included
    std::optional<int64_t> bos;               ///< first token of every row
    std::optional<int64_t> separator;         ///< leads every document (EOS or BOS)
    int64_t bufferRows = 512;                 ///< 0: no shuffling, rows in corpus order
    bool loop = true;                         ///< start over at the end (epochs); else stop
    uint64_t seed = 0;
    int64_t vocabSize = 0;                    ///< ids must stay below (the model's embedding)
};

/// Everything needed to continue the stream exactly where it was.
struct LorsaTrainingDataState {
    int64_t fileIndex = 0;
    int64_t byteOffset = 0;
    int64_t epoch = 0;
    std::vector<int64_t> partialRow;              ///< packed tokens not yet a full row
    std::vector<std::vector<int64_t>> buffer;     ///< the shuffle buffer's rows
    std::vector<std::vector<int64_t>> readyRows;  ///< rows packed but not yet in the buffer
    std::string random;                           ///< std::mt19937_64 state as text
};

class LorsaTrainingData {
public:
    /// Checks every file first (missing, unreadable, empty, NUL bytes, invalid UTF-8:
    /// Error(InvalidFile) naming the file and, where it applies, the byte offset).
    LorsaTrainingData(const Tokenizer& tokenizer, LorsaTrainingDataOptions options);
    ~LorsaTrainingData();

    /// Up to \p rows rows as int64 [n,rowLength]; n < rows only when the stream does not loop
    /// and has run out (n = 0: nothing left).
    std::vector<std::vector<int64_t>> next(int64_t rows);

    LorsaTrainingDataState state() const;
    void restore(const LorsaTrainingDataState& state);

private:
    std::optional<std::vector<int64_t>> nextRow();
    bool readDocument(std::string& document);
    void openFile();

    Tokenizer m_tokenizer;
    LorsaTrainingDataOptions m_options;
    std::unique_ptr<TokenPacker> m_packer;
    std::vector<int64_t> m_partial;  // mirror of the packer's pending tokens
    std::vector<std::vector<int64_t>> m_ready;
    std::vector<std::vector<int64_t>> m_buffer;
    std::mt19937_64 m_random;
    int64_t m_fileIndex = 0;
    int64_t m_byteOffset = 0;
    int64_t m_epoch = 0;
    int64_t m_rowsThisEpoch = 0;
    bool m_exhausted = false;
    std::ifstream m_file;
};

/// Checks one corpus file without holding it in memory; throws Error(InvalidFile).
void checkCorpusFile(const std::filesystem::path& file);

} // namespace lorsa
