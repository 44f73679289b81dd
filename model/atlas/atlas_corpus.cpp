#include "model/atlas/atlas_corpus.h"

#include "model/atlas/atlas_types.h"
#include "model/core/error.h"
#include "model/core/fingerprint.h"
#include "model/tokenizer/utf8.h"
#include "model/training/corpus_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace lorsa {
namespace {

bool isJsonLines(const std::filesystem::path& file)
{
    auto extension = file.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    return extension == ".jsonl";
}

std::vector<std::string> jsonLinesDocuments(const std::filesystem::path& file, const std::string& content)
{
    std::vector<std::string> documents;
    size_t pos = 0;
    int64_t line = 0;
    while (pos < content.size()) {
        auto end = content.find('\n', pos);
        if (end == std::string::npos)
            end = content.size();
        ++line;
        const std::string_view text(content.data() + pos, end - pos);
        pos = end + 1;
        if (text.find_first_not_of(" \t\r") == std::string_view::npos)
            continue;  // blank lines hold no document
        const auto where = file.string() + ":" + std::to_string(line);
        nlohmann::json value;
        try {
            value = nlohmann::json::parse(text);
        } catch (const nlohmann::json::exception& error) {
            throw Error(ErrorKind::InvalidFile, where + ": not a JSON line: " + error.what());
        }
        if (!value.is_object() || !value.contains("text") || !value["text"].is_string())
            throw Error(ErrorKind::InvalidFile, where + ": expected an object with a string \"text\" field");
        documents.push_back(value["text"].get<std::string>());
    }
    return documents;
}

/// A blank-line separated document without the newline that ends its last line (that newline
/// belongs to the separator).
std::string withoutFinalNewline(std::string document)
{
    while (!document.empty() && (document.back() == '\n' || document.back() == '\r'))
        document.pop_back();
    return document;
}

} // namespace

std::vector<int64_t> AtlasCorpus::contextTokens(size_t index) const
{
    const auto& span = contexts.at(index);
    std::vector<int64_t> ids;
    ids.reserve(static_cast<size_t>(span.length + 1));
    ids.push_back(bos);
    ids.insert(ids.end(), tokens.begin() + span.offset, tokens.begin() + span.offset + span.length);
    return ids;
}

int64_t AtlasCorpus::find(int64_t document, int64_t start) const
{
    const auto it = std::lower_bound(contexts.begin(), contexts.end(), std::pair{document, start},
                                     [](const ContextSpan& span, const std::pair<int64_t, int64_t>& key) {
                                         return std::pair{span.document, span.start} < key;
                                     });
    if (it == contexts.end() || it->document != document || it->start != start)
        return -1;
    return it - contexts.begin();
}

std::vector<std::string> readAtlasDocuments(const std::vector<std::filesystem::path>& files, std::string* fingerprint)
{
    if (files.empty())
        throw Error(ErrorKind::InvalidInput, "no corpus file given (--corpus FILE...)");
    std::vector<std::string> documents;
    std::string identity;
    for (const auto& file : files) {
        // readCorpusFile refuses missing, empty, binary and non-UTF-8 files, naming them.
        const auto content = readCorpusFile(file);
        identity += file.filename().string() + '\0' + fnv1aHex(content) + '\0';
        auto parts = isJsonLines(file) ? jsonLinesDocuments(file, content) : splitDocuments(content);
        if (parts.empty())
            throw Error(ErrorKind::InvalidFile, file.string() + ": holds no document");
        for (auto& part : parts)
            documents.push_back(isJsonLines(file) ? std::move(part) : withoutFinalNewline(std::move(part)));
    }
    if (fingerprint)
        *fingerprint = fnv1aHex(identity);
    return documents;
}

AtlasCorpus buildAtlasCorpus(const CorpusOptions& options, const Tokenizer& tokenizer, int64_t bos)
{
    if (options.context < 2)
        throw Error(ErrorKind::InvalidInput, "--context must be at least 2 (BOS + one token)");
    if (options.shardCount < 1 || options.shardIndex < 0 || options.shardIndex >= options.shardCount)
        throw Error(ErrorKind::InvalidInput, "--shard I/K needs 0 <= I < K");
    AtlasCorpus corpus;
    corpus.bos = bos;
    for (const auto& file : options.files)
        corpus.fileNames.push_back(file.string());
    const auto documents = readAtlasDocuments(options.files, &corpus.fingerprint);
    corpus.documents = static_cast<int64_t>(documents.size());
    const int64_t window = options.context - 1;
    for (int64_t document = options.shardIndex; document < corpus.documents; document += options.shardCount) {
        const auto& text = documents[static_cast<size_t>(document)];
        if (text.empty())
            continue;
        const auto ids = tokenizer.encode(text, /*addSpecialTokens=*/false).ids;
        for (int64_t start = 0; start < static_cast<int64_t>(ids.size()); start += window) {
            const int64_t length = std::min<int64_t>(window, static_cast<int64_t>(ids.size()) - start);
            if (options.maxTokens > 0 && corpus.tokenCount + length > options.maxTokens)
                return corpus;
            corpus.contexts.push_back({document, start, length, static_cast<int64_t>(corpus.tokens.size())});
            corpus.tokens.insert(corpus.tokens.end(), ids.begin() + start, ids.begin() + start + length);
            corpus.tokenCount += length;
        }
    }
    return corpus;
}

} // namespace lorsa
