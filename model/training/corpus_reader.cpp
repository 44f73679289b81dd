#include "model/training/corpus_reader.h"

#include "model/core/error.h"
#include "model/tokenizer/utf8.h"

#include <fstream>
#include <sstream>

namespace lorsa {
namespace {

bool isBlank(std::string_view line)
{
    return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

} // namespace

std::string readCorpusFile(const std::filesystem::path& file)
{
    const auto name = file.string();
    std::error_code code;
    if (!std::filesystem::exists(file, code))
        throw Error(ErrorKind::InvalidFile, name + ": corpus file does not exist");
    if (std::filesystem::is_directory(file, code))
        throw Error(ErrorKind::InvalidFile, name + ": is a folder, expected a UTF-8 text file");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::InvalidFile, name + ": cannot open the corpus file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        throw Error(ErrorKind::InvalidFile, name + ": reading the corpus file failed");
    std::string text = std::move(buffer).str();
    if (text.empty())
        throw Error(ErrorKind::InvalidFile, name + ": corpus file is empty");
    if (text.find_first_not_of(" \t\r\n\f\v") == std::string::npos)
        throw Error(ErrorKind::InvalidFile, name + ": corpus file holds only whitespace");
    if (const auto nul = text.find('\0'); nul != std::string::npos)
        throw Error(ErrorKind::InvalidFile, name + ": NUL byte at offset " + std::to_string(nul) +
                                                ": this looks like a binary file, expected UTF-8 text");
    if (const auto bad = utf8::firstInvalidByte(text))
        throw Error(ErrorKind::InvalidFile, name + ": invalid UTF-8 at byte offset " + std::to_string(*bad) +
                                                ": expected UTF-8 text");
    return text;
}

std::vector<std::string> splitDocuments(const std::string& text)
{
    std::vector<std::string> documents;
    std::string current;
    size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        const bool lastLine = end == std::string::npos;
        if (lastLine)
            end = text.size();
        const std::string_view line(text.data() + pos, end - pos);
        if (isBlank(line)) {
            if (!isBlank(current))
                documents.push_back(std::move(current));
            current.clear();
        } else {
            current.append(line);
            if (!lastLine)
                current += '\n';
        }
        pos = end + 1;
    }
    if (!isBlank(current))
        documents.push_back(std::move(current));
    return documents;
}

std::vector<std::string> readCorpusDocuments(const std::vector<std::filesystem::path>& files)
{
    if (files.empty())
        throw Error(ErrorKind::InvalidInput, "no corpus file given");
    std::vector<std::string> documents;
    for (const auto& file : files) {
        auto parts = splitDocuments(readCorpusFile(file));
        documents.insert(documents.end(), std::make_move_iterator(parts.begin()), std::make_move_iterator(parts.end()));
    }
    return documents;
}

} // namespace lorsa
