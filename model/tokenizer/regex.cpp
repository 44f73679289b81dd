#include "model/tokenizer/regex.h"

#include "model/core/error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

namespace lorsa {

namespace {

std::string pcreMessage(int code)
{
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof(buffer));
    return reinterpret_cast<const char*>(buffer);
}

} // namespace

Regex::Regex(const std::string& pattern)
{
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &errorCode, &errorOffset, nullptr);
    if (!code)
        throw std::invalid_argument("regex '" + pattern + "' does not compile at offset " + std::to_string(errorOffset) + ": "
                                    + pcreMessage(errorCode));
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); // optional speed-up; the interpreter is the fallback
    m_code = std::shared_ptr<void>(code, [](void* p) { pcre2_code_free(static_cast<pcre2_code*>(p)); });
}

std::vector<std::pair<std::size_t, std::size_t>> Regex::findAll(std::string_view subject) const
{
    auto* code = static_cast<pcre2_code*>(m_code.get());
    const std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
        pcre2_match_data_create_from_pattern(code, nullptr), &pcre2_match_data_free);
    if (!data)
        throw std::bad_alloc();
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    std::size_t start = 0;
    const auto* bytes = reinterpret_cast<PCRE2_SPTR>(subject.data());
    while (start <= subject.size()) {
        const int rc = pcre2_match(code, bytes, subject.size(), start, PCRE2_NO_UTF_CHECK, data.get(), nullptr);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            throw Error(ErrorKind::InvalidInput, "pre-tokenizer regex failed on the input: " + pcreMessage(rc));
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
        const std::size_t begin = ovector[0], end = ovector[1];
        if (end > begin) {
            matches.emplace_back(begin, end);
            start = end;
        } else { // an empty match: step over one character
            start = begin + 1;
            while (start < subject.size() && (static_cast<unsigned char>(subject[start]) & 0xC0) == 0x80)
                ++start;
        }
    }
    return matches;
}

std::string Regex::escape(std::string_view literal)
{
    // \Q...\E quotes everything except a literal "\E", which is spliced in escaped.
    std::string out = "\\Q";
    for (std::size_t i = 0; i < literal.size(); ++i) {
        if (literal.substr(i, 2) == "\\E") {
            out += "\\E\\\\E\\Q";
            ++i;
        } else {
            out += literal[i];
        }
    }
    return out + "\\E";
}

} // namespace lorsa
