#pragma once
/// \file
/// Reading training corpora: plain UTF-8 text files whose documents are separated by blank
/// lines. Every trainer (tokenizer, language model, Lorsa) reads its corpus through here so
/// that an empty, binary or missing file gets the same clear error everywhere.

#include <filesystem>
#include <string>
#include <vector>

namespace lorsa {

/// The whole text of one corpus file. Throws Error(InvalidFile) naming the file when it is
/// missing, unreadable, empty (or only whitespace), contains NUL bytes or is not valid UTF-8
/// (with the byte offset of the first bad byte).
std::string readCorpusFile(const std::filesystem::path& file);

/// Splits a corpus text into documents at blank lines (one or more empty or whitespace-only
/// lines); each document keeps its inner newlines and loses the separating ones. Documents
/// that are only whitespace are dropped.
std::vector<std::string> splitDocuments(const std::string& text);

/// readCorpusFile + splitDocuments over several files, in order. Throws Error(InvalidInput)
/// when \p files is empty.
std::vector<std::string> readCorpusDocuments(const std::vector<std::filesystem::path>& files);

} // namespace lorsa
