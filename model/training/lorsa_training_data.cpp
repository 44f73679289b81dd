#include "model/training/lorsa_training_data.h"

#include "model/core/error.h"
#include "model/training/token_packer.h"
#include "model/tokenizer/utf8.h"

#include <algorithm>
#include <sstream>

namespace lorsa {
namespace {

/// A document longer than this is cut (at a character boundary) so memory stays bounded.
constexpr size_t kMaxDocumentBytes = 1 << 20;
constexpr size_t kCheckChunk = 1 << 20;

bool blank(const std::string& line)
{
    return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; });
}

/// Bytes at the end of \p text that start a UTF-8 sequence the text does not complete.
size_t incompleteTail(std::string_view text)
{
    for (size_t back = 1; back <= std::min<size_t>(3, text.size()); ++back) {
        const auto byte = static_cast<unsigned char>(text[text.size() - back]);
        if ((byte & 0xC0) != 0x80) {
            const size_t need = utf8::sequenceLength(byte);
            return need > back ? back : 0;
        }
    }
    return 0;
}

} // namespace

void checkCorpusFile(const std::filesystem::path& file)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        throw Error(ErrorKind::InvalidFile, file.string() + ": corpus file does not exist or is not a regular file");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::InvalidFile, file.string() + ": cannot open the corpus file");
    std::string carry, chunk(kCheckChunk, '\0');
    int64_t offset = 0;  // of carry's first byte
    bool text = false;
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto got = static_cast<size_t>(in.gcount());
        if (got == 0)
            break;
        std::string piece = carry + chunk.substr(0, got);
        if (const auto nul = piece.find('\0'); nul != std::string::npos)
            throw Error(ErrorKind::InvalidFile, file.string() + ": NUL byte at offset " + std::to_string(offset + static_cast<int64_t>(nul)) +
                                                    "; the corpus must be UTF-8 text, not a binary file");
        const size_t keep = in ? incompleteTail(piece) : 0;
        const std::string_view whole(piece.data(), piece.size() - keep);
        if (const auto bad = utf8::firstInvalidByte(whole))
            throw Error(ErrorKind::InvalidFile, file.string() + ": invalid UTF-8 at byte offset " + std::to_string(offset + static_cast<int64_t>(*bad)));
        text = text || std::any_of(whole.begin(), whole.end(), [](char c) { return !std::isspace(static_cast<unsigned char>(c)); });
        offset += static_cast<int64_t>(whole.size());
        carry = piece.substr(piece.size() - keep);
    }
    if (!carry.empty())
        throw Error(ErrorKind::InvalidFile, file.string() + ": invalid UTF-8 at byte offset " + std::to_string(offset) + " (truncated character)");
    if (!text)
        throw Error(ErrorKind::InvalidFile, file.string() + ": the corpus file is empty");
}

LorsaTrainingData::LorsaTrainingData(const Tokenizer& tokenizer, LorsaTrainingDataOptions options)
    : m_tokenizer(tokenizer), m_options(std::move(options)), m_random(m_options.seed)
{
    if (m_options.files.empty())
        throw Error(ErrorKind::InvalidInput, "no corpus files given");
    const int64_t packed = m_options.rowLength - (m_options.bos ? 1 : 0);
    if (packed < 1)
        throw Error(ErrorKind::InvalidInput, "rows of " + std::to_string(m_options.rowLength) + " tokens leave no room for text");
    for (const auto& file : m_options.files)
        checkCorpusFile(file);
    m_packer = std::make_unique<TokenPacker>(packed, 1, std::nullopt);
}

LorsaTrainingData::~LorsaTrainingData() = default;

void LorsaTrainingData::openFile()
{
    m_file = std::ifstream(m_options.files[static_cast<size_t>(m_fileIndex)], std::ios::binary);
    if (!m_file)
        throw Error(ErrorKind::InvalidFile, m_options.files[static_cast<size_t>(m_fileIndex)].string() + ": cannot open the corpus file");
    m_file.seekg(m_byteOffset);
}

bool LorsaTrainingData::readDocument(std::string& document)
{
    document.clear();
    while (true) {
        if (m_fileIndex >= static_cast<int64_t>(m_options.files.size())) {
            if (!m_options.loop) {
                m_exhausted = true;
                return !document.empty();
            }
            if (m_rowsThisEpoch == 0 && m_epoch > 0)
                throw Error(ErrorKind::InvalidInput, "the corpus is too small: it does not fill one row of " +
                                                         std::to_string(m_options.rowLength) + " tokens");
            ++m_epoch;
            m_rowsThisEpoch = 0;
            m_fileIndex = 0;
            m_byteOffset = 0;
            m_file.close();
        }
        if (!m_file.is_open())
            openFile();
        std::string line;
        while (document.size() < kMaxDocumentBytes && std::getline(m_file, line)) {
            m_byteOffset += static_cast<int64_t>(line.size()) + (m_file.eof() ? 0 : 1);
            if (blank(line)) {
                if (!document.empty())
                    return true;
                continue;
            }
            document += document.empty() ? line : "\n" + line;
        }
        if (document.size() >= kMaxDocumentBytes) {
            // Cut at a character boundary; the rest of the line is dropped, the paragraph's
            // following lines become the next document.
            const size_t cut = document.size() - incompleteTail(document);
            document.resize(cut);
            return true;
        }
        m_file.close();
        ++m_fileIndex;
        m_byteOffset = 0;
        if (!document.empty())
            return true;
    }
}

std::optional<std::vector<int64_t>> LorsaTrainingData::nextRow()
{
    std::string document;
    while (m_ready.empty()) {
        if (m_exhausted || !readDocument(document))
            return std::nullopt;
        auto ids = m_tokenizer.encode(document, false).ids;
        for (const auto id : ids)
            if (id < 0 || (m_options.vocabSize > 0 && id >= m_options.vocabSize))
                throw Error(ErrorKind::InvalidInput, "the tokenizer produced id " + std::to_string(id) + " outside the model's vocabulary");
        if (m_options.separator)
            ids.insert(ids.begin(), *m_options.separator);
        for (auto& batch : m_packer->add(ids)) {
            std::vector<int64_t> row;
            if (m_options.bos)
                row.push_back(*m_options.bos);
            row.insert(row.end(), batch.tokens.begin(), batch.tokens.end());
            m_ready.push_back(std::move(row));
        }
        // Mirror the packer's pending tokens: what did not fill a row.
        m_partial.insert(m_partial.end(), ids.begin(), ids.end());
        const auto rowLength = static_cast<size_t>(m_packer->rowLength());
        m_partial.erase(m_partial.begin(), m_partial.end() - static_cast<std::ptrdiff_t>(m_partial.size() % rowLength));
    }
    auto row = std::move(m_ready.front());
    m_ready.erase(m_ready.begin());
    ++m_rowsThisEpoch;
    return row;
}

std::vector<std::vector<int64_t>> LorsaTrainingData::next(int64_t rows)
{
    std::vector<std::vector<int64_t>> out;
    if (m_options.bufferRows <= 0) {
        while (static_cast<int64_t>(out.size()) < rows) {
            auto row = nextRow();
            if (!row)
                break;
            out.push_back(std::move(*row));
        }
        return out;
    }
    while (static_cast<int64_t>(m_buffer.size()) < m_options.bufferRows) {
        auto row = nextRow();
        if (!row)
            break;
        m_buffer.push_back(std::move(*row));
    }
    while (static_cast<int64_t>(out.size()) < rows && !m_buffer.empty()) {
        const auto pick = static_cast<size_t>(m_random() % m_buffer.size());
        out.push_back(std::move(m_buffer[pick]));
        if (auto row = nextRow()) {
            m_buffer[pick] = std::move(*row);
        } else {
            m_buffer[pick] = std::move(m_buffer.back());
            m_buffer.pop_back();
        }
    }
    return out;
}

LorsaTrainingDataState LorsaTrainingData::state() const
{
    LorsaTrainingDataState s;
    s.readyRows = m_ready;
    s.fileIndex = m_fileIndex;
    s.byteOffset = m_byteOffset;
    s.epoch = m_epoch;
    s.partialRow = m_partial;
    s.buffer = m_buffer;
    std::ostringstream random;
    random << m_random;
    s.random = random.str();
    return s;
}

void LorsaTrainingData::restore(const LorsaTrainingDataState& s)
{
    if (s.fileIndex < 0 || s.fileIndex > static_cast<int64_t>(m_options.files.size()) || s.byteOffset < 0 || s.epoch < 0)
        throw Error(ErrorKind::InvalidFile, "the saved corpus position is outside the corpus files");
    if (s.partialRow.size() >= static_cast<size_t>(m_packer->rowLength()))
        throw Error(ErrorKind::InvalidFile, "the saved partial row is longer than a row");
    for (const auto* rows : {&s.buffer, &s.readyRows})
        for (const auto& row : *rows) {
            if (static_cast<int64_t>(row.size()) != m_options.rowLength)
                throw Error(ErrorKind::InvalidFile, "a saved row does not have " + std::to_string(m_options.rowLength) + " tokens");
            for (const auto id : row)
                if (id < 0 || (m_options.vocabSize > 0 && id >= m_options.vocabSize))
                    throw Error(ErrorKind::InvalidFile, "a saved row holds token id " + std::to_string(id) + " outside the vocabulary");
        }
    for (const auto id : s.partialRow)
        if (id < 0 || (m_options.vocabSize > 0 && id >= m_options.vocabSize))
            throw Error(ErrorKind::InvalidFile, "the saved partial row holds token id " + std::to_string(id) + " outside the vocabulary");
    std::istringstream random(s.random);
    random >> m_random;
    if (random.fail())
        throw Error(ErrorKind::InvalidFile, "the saved random generator state is unreadable");
    m_fileIndex = s.fileIndex;
    m_byteOffset = s.byteOffset;
    m_epoch = s.epoch;
    m_rowsThisEpoch = 1;
    m_exhausted = false;
    m_file.close();
    m_ready = s.readyRows;
    m_buffer = s.buffer;
    m_partial = s.partialRow;
    m_packer = std::make_unique<TokenPacker>(m_packer->rowLength(), 1, std::nullopt);
    if (!m_partial.empty())
        m_packer->add(m_partial);
}

} // namespace lorsa
