#pragma once
/// \file
/// GPT-2's reversible mapping between bytes and printable characters used by byte-level BPE.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace lorsa::byte_level {

/// The character (as UTF-8) that stands for \p byte in byte-level vocabularies ('Ġ' for ' ').
const std::string& charFor(unsigned char byte);

/// The byte-level spelling of raw bytes: one character per byte.
std::string encode(std::string_view bytes);

/// The raw bytes of a byte-level token, or nullopt when one of its characters is not in the
/// table (Hugging Face's ByteLevel decoder then keeps the token's own UTF-8 bytes).
std::optional<std::string> decode(std::string_view token);

} // namespace lorsa::byte_level
