#pragma once
/// \file
/// A Unicode-aware regular expression (PCRE2 with UTF and UCP, JIT-compiled where available)
/// standing in for the Oniguruma patterns of tokenizer.json files.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lorsa {

class Regex {
public:
    /// Throws std::invalid_argument with PCRE2's message when \p pattern does not compile.
    explicit Regex(const std::string& pattern);

    /// Non-empty, non-overlapping matches [begin, end) in valid UTF-8 \p subject, left to right.
    std::vector<std::pair<std::size_t, std::size_t>> findAll(std::string_view subject) const;

    /// The regex for a literal string.
    static std::string escape(std::string_view literal);

private:
    std::shared_ptr<void> m_code; // pcre2_code_8, immutable after compilation, shared by copies
};

} // namespace lorsa
