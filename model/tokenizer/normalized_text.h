#pragma once
/// \file
/// A piece of text being normalised, with the original bytes every byte came from, as
/// Hugging Face's NormalizedString keeps them, so that token offsets point into the input.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lorsa {

/// [begin, end) byte offsets into the original input.
using ByteSpan = std::pair<int64_t, int64_t>;

/// Unicode normalisation forms.
enum class NormalForm { NFC, NFD, NFKC, NFKD };

/// Normalised UTF-8 text plus, for each of its bytes, the original span of the character it
/// came from (all bytes of one character share that span).
struct NormalizedText {
    std::string text;
    std::vector<ByteSpan> alignment; // [text.size()]

    /// \p original must be valid UTF-8; \p offset is its position in the whole input.
    static NormalizedText fromOriginal(std::string_view original, int64_t offset);

    /// Bytes [begin, end) of the normalised text (character boundaries).
    NormalizedText slice(std::size_t begin, std::size_t end) const;

    /// The original span covered by normalised bytes [begin, end), end > begin.
    ByteSpan originalSpan(std::size_t begin, std::size_t end) const { return {alignment[begin].first, alignment[end - 1].second}; }

    /// Applies a Unicode normal form. A character that replaces several keeps the span of the
    /// first of them; characters added by decomposition share the span of the one before.
    void normalize(NormalForm form);

    /// Lowercases per character (full mapping for U+0130, simple mapping otherwise).
    void lowercase();

    /// Prepends a space that maps onto the first character, as ByteLevel's add_prefix_space.
    void prependSpace();
};

} // namespace lorsa
