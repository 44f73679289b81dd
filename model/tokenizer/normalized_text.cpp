#include "model/tokenizer/normalized_text.h"

#include "model/tokenizer/utf8.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace lorsa {

namespace {

/// Whether \p cp can change or merge with the character before it under normalisation, so a
/// normalisation chunk must not start at it.
bool combinesBackward(char32_t cp)
{
    const auto* property = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
    if (property->combining_class != 0)
        return true;
    // Second characters of canonical compositions that are starters (e.g. Indic vowel signs).
    if (property->comb_index != UINT16_MAX && property->comb_index >= 0x8000)
        return true;
    // Hangul vowel and trailing jamo compose with the syllable or leading jamo before them.
    return (cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11A8 && cp <= 0x11C2);
}

std::vector<char32_t> normalizeChunk(std::string_view chunk, NormalForm form)
{
    int options = UTF8PROC_STABLE;
    switch (form) {
    case NormalForm::NFC: options |= UTF8PROC_COMPOSE; break;
    case NormalForm::NFD: options |= UTF8PROC_DECOMPOSE; break;
    case NormalForm::NFKC: options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT; break;
    case NormalForm::NFKD: options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT; break;
    }
    utf8proc_uint8_t* mapped = nullptr;
    const auto length = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(chunk.data()),
                                     static_cast<utf8proc_ssize_t>(chunk.size()), &mapped, static_cast<utf8proc_option_t>(options));
    const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
    std::vector<char32_t> out;
    if (length < 0) // only on allocation failure: the input was validated
        throw std::bad_alloc();
    const std::string_view result(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(length));
    for (std::size_t pos = 0; pos < result.size();)
        out.push_back(utf8::next(result, pos));
    return out;
}

} // namespace

NormalizedText NormalizedText::fromOriginal(std::string_view original, int64_t offset)
{
    NormalizedText t;
    t.text = std::string(original);
    t.alignment.reserve(original.size());
    for (std::size_t pos = 0; pos < original.size();) {
        const auto begin = pos;
        utf8::next(original, pos);
        const ByteSpan span{offset + static_cast<int64_t>(begin), offset + static_cast<int64_t>(pos)};
        t.alignment.insert(t.alignment.end(), pos - begin, span);
    }
    return t;
}

NormalizedText NormalizedText::slice(std::size_t begin, std::size_t end) const
{
    using Diff = std::vector<ByteSpan>::difference_type;
    return {text.substr(begin, end - begin),
            std::vector<ByteSpan>(alignment.begin() + static_cast<Diff>(begin), alignment.begin() + static_cast<Diff>(end))};
}

void NormalizedText::normalize(NormalForm form)
{
    bool ascii = true;
    for (const char c : text)
        ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) // every normal form leaves ASCII unchanged
        return;
    // Characters with their first byte, grouped into chunks that normalise independently.
    std::vector<std::pair<char32_t, std::size_t>> chars;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto begin = pos;
        chars.emplace_back(utf8::next(text, pos), begin);
    }
    NormalizedText out;
    out.text.reserve(text.size());
    out.alignment.reserve(text.size());
    for (std::size_t first = 0; first < chars.size();) {
        std::size_t last = first + 1;
        while (last < chars.size() && combinesBackward(chars[last].first))
            ++last;
        const auto byteBegin = chars[first].second;
        const auto byteEnd = last < chars.size() ? chars[last].second : text.size();
        const auto normalized = normalizeChunk(std::string_view(text).substr(byteBegin, byteEnd - byteBegin), form);
        // The i-th output character replaces the i-th input one; extra ones are insertions that
        // share the span of the character before them (Hugging Face's transform semantics).
        ByteSpan span{};
        for (std::size_t i = 0; i < normalized.size(); ++i) {
            if (first + i < last)
                span = alignment[chars[first + i].second];
            const auto before = out.text.size();
            utf8::append(out.text, normalized[i]);
            out.alignment.insert(out.alignment.end(), out.text.size() - before, span);
        }
        first = last;
    }
    *this = std::move(out);
}

void NormalizedText::lowercase()
{
    NormalizedText out;
    out.text.reserve(text.size());
    out.alignment.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const auto begin = pos;
        const char32_t cp = utf8::next(text, pos);
        const auto span = alignment[begin];
        const auto before = out.text.size();
        if (cp == 0x130) { // İ lowercases to i + combining dot above
            out.text += "i\xCC\x87";
        } else {
            utf8::append(out.text, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))));
        }
        out.alignment.insert(out.alignment.end(), out.text.size() - before, span);
    }
    *this = std::move(out);
}

void NormalizedText::prependSpace()
{
    if (text.empty())
        return;
    text.insert(text.begin(), ' ');
    alignment.insert(alignment.begin(), alignment.front());
}

} // namespace lorsa
