#pragma once
/// \file
/// A guard against hostile JSON nesting. nlohmann::json parses any depth iteratively, but its
/// dump() (used in error messages), copies and comparisons recurse once per level: a config or
/// safetensors header of a few megabytes of '[' overflowed the stack. Readers measure the depth
/// of the text first and refuse anything deeper than real files ever are.

#include <cstddef>
#include <string_view>

namespace lorsa {

/// Deeper than any config.json, tokenizer.json or safetensors header (they nest < 10 levels).
constexpr std::size_t kMaxJsonNesting = 128;

/// The deepest nesting of arrays and objects in \p text (brackets inside strings do not count).
/// Linear, no allocation; meaningful for valid JSON, harmless on anything else.
std::size_t jsonNestingDepth(std::string_view text);

} // namespace lorsa
