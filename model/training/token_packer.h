#pragma once
/// \file
/// Padding-free packing of documents into fixed-length rows, batch by batch, so whole corpora
/// stream through the engine in bounded memory (the trainer and the corpus atlas use it).

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace lorsa {

/// A batch of rows, each exactly `rowLength` tokens (the last batch of a stream may have
/// fewer rows, and its last row fewer tokens), with where each document starts.
struct TokenBatch {
    int64_t rows = 0;
    int64_t rowLength = 0;
    std::vector<int64_t> tokens;          // (rows, rowLength) row-major
    std::vector<int64_t> documentStarts;  // flat indices into tokens where a document begins
};

/// Concatenates documents (each led by an optional separator such as BOS or EOS) and cuts the
/// stream into rows of rowLength tokens; a full batch of batchRows rows is handed out as soon as
/// it exists. At most one batch plus one row is held at any time.
class TokenPacker {
public:
    TokenPacker(int64_t rowLength, int64_t batchRows, std::optional<int64_t> separator);

    /// Adds one document's tokens; returns the batches it completed (usually none or one).
    std::vector<TokenBatch> add(const std::vector<int64_t>& document);
    /// Returns what is left as a final, possibly short batch; nullopt if nothing is left.
    /// With dropPartialRow the incomplete last row is discarded (training wants equal rows).
    std::optional<TokenBatch> finish(bool dropPartialRow);

    int64_t rowLength() const { return m_rowLength; }
    int64_t batchRows() const { return m_batchRows; }

private:
    void push(int64_t token, bool documentStart, std::vector<TokenBatch>& completed);
    TokenBatch takeBatch();

    int64_t m_rowLength;
    int64_t m_batchRows;
    std::optional<int64_t> m_separator;
    TokenBatch m_pending;
};

} // namespace lorsa
