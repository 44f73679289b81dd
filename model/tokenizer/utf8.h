#pragma once
/// \file
/// UTF-8 helpers shared by the tokenizer: validation, iteration and lossy decoding.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lorsa::utf8 {

/// Byte offset of the first byte that does not start a well-formed UTF-8 sequence
/// (overlong forms, surrogates and code points past U+10FFFF are ill-formed), or nullopt.
std::optional<std::size_t> firstInvalidByte(std::string_view text);

/// Decodes the code point starting at \p pos of well-formed UTF-8 and advances \p pos past it.
char32_t next(std::string_view text, std::size_t& pos);

/// Length in bytes of the sequence that starts with lead byte \p lead (1 for continuation bytes).
std::size_t sequenceLength(unsigned char lead);

/// Appends the UTF-8 encoding of \p cp.
void append(std::string& out, char32_t cp);

/// Replaces every ill-formed subsequence by U+FFFD, one per maximal subpart, exactly as
/// Rust's String::from_utf8_lossy (and so Hugging Face decoding) does.
std::string toValidLossy(std::string_view bytes);

/// Unicode White_Space, as Rust's char::is_whitespace.
bool isWhitespace(char32_t cp);

} // namespace lorsa::utf8
