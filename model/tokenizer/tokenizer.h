#pragma once
/// \file
/// A Hugging Face tokenizer.json with a byte-level BPE model (GPT-2, Pythia, Llama-3 style),
/// encoding exactly as the `tokenizers` library does, with byte offsets into the input.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lorsa {

/// The tokens of one text.
struct Encoding {
    std::vector<int64_t> ids;                            // [T]
    std::vector<std::pair<int64_t, int64_t>> byteSpans; // [T], [begin, end) in the ORIGINAL input's UTF-8 bytes
};

/// An immutable tokenizer; copies are cheap and share state (thread-safe to use concurrently).
class Tokenizer {
public:
    /// Loads \p tokenizerJson. Throws Error(InvalidFile) for a missing, unreadable or malformed
    /// file, Error(Unsupported) for components other than byte-level BPE needs.
    static Tokenizer fromFile(const std::filesystem::path& tokenizerJson);

    /// Loads from the text of a tokenizer.json; \p name is used in messages.
    static Tokenizer fromJsonText(std::string_view json, const std::string& name);

    /// Encodes UTF-8 text; with \p addSpecialTokens the post-processor's tokens (e.g. BOS) are
    /// added. Invalid UTF-8 throws Error(InvalidInput) naming the byte offset. A token holding
    /// part of a multi-byte character spans that whole character; special tokens added by the
    /// post-processor span [0, 0).
    Encoding encode(std::string_view utf8, bool addSpecialTokens = true) const;

    /// Decodes ids through the decoder (ByteLevel); ill-formed UTF-8 becomes U+FFFD. Unknown ids
    /// are skipped, as Hugging Face does.
    std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens = false) const;

    /// Display text of one token alone (decoded bytes, U+FFFD for partial UTF-8).
    std::string tokenText(int64_t id) const;

    std::optional<int64_t> tokenToId(std::string_view token) const;
    std::optional<std::string> idToToken(int64_t id) const;

    /// Number of tokens including added tokens that are not in the model's vocabulary.
    int64_t vocabSize() const;

    /// Whether \p id is an added token marked special.
    bool isSpecial(int64_t id) const;

    /// The BOS the post-processor adds, if any.
    std::optional<int64_t> bosId() const;

    struct Impl;

private:
    explicit Tokenizer(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
    std::shared_ptr<const Impl> m_impl;
};

} // namespace lorsa
