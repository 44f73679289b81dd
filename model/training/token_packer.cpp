#include "model/training/token_packer.h"

#include "model/core/error.h"

namespace lorsa {

TokenPacker::TokenPacker(int64_t rowLength, int64_t batchRows, std::optional<int64_t> separator)
    : m_rowLength(rowLength)
    , m_batchRows(batchRows)
    , m_separator(separator)
{
    if (rowLength <= 0 || batchRows <= 0)
        throw Error(ErrorKind::InvalidInput, "batches need a positive row length and row count (got " +
                                                 std::to_string(rowLength) + " x " + std::to_string(batchRows) + ")");
    m_pending.rowLength = rowLength;
}

std::vector<TokenBatch> TokenPacker::add(const std::vector<int64_t>& document)
{
    std::vector<TokenBatch> completed;
    if (document.empty())
        return completed;
    bool start = true;
    if (m_separator) {
        push(*m_separator, true, completed);
        start = false;
    }
    for (const auto token : document) {
        push(token, start, completed);
        start = false;
    }
    return completed;
}

void TokenPacker::push(int64_t token, bool documentStart, std::vector<TokenBatch>& completed)
{
    if (documentStart)
        m_pending.documentStarts.push_back(static_cast<int64_t>(m_pending.tokens.size()));
    m_pending.tokens.push_back(token);
    if (static_cast<int64_t>(m_pending.tokens.size()) == m_rowLength * m_batchRows)
        completed.push_back(takeBatch());
}

TokenBatch TokenPacker::takeBatch()
{
    TokenBatch batch = std::move(m_pending);
    batch.rowLength = m_rowLength;
    batch.rows = (static_cast<int64_t>(batch.tokens.size()) + m_rowLength - 1) / m_rowLength;
    m_pending = TokenBatch{};
    m_pending.rowLength = m_rowLength;
    return batch;
}

std::optional<TokenBatch> TokenPacker::finish(bool dropPartialRow)
{
    if (dropPartialRow) {
        const auto whole = static_cast<int64_t>(m_pending.tokens.size()) / m_rowLength * m_rowLength;
        m_pending.tokens.resize(static_cast<size_t>(whole));
        std::erase_if(m_pending.documentStarts, [whole](int64_t start) { return start >= whole; });
    }
    if (m_pending.tokens.empty())
        return std::nullopt;
    return takeBatch();
}

} // namespace lorsa
