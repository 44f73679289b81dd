#include "model/tokenizer/byte_level.h"

#include "model/tokenizer/utf8.h"

namespace lorsa::byte_level {

namespace {

struct Tables {
    std::array<std::string, 256> charOfByte;
    std::array<int, 324> byteOfChar{}; // code points stay below 256 + 68; -1 = not a byte char
};

const Tables& tables()
{
    static const Tables t = [] {
        Tables r;
        r.byteOfChar.fill(-1);
        // Printable bytes stand for themselves; the others are shifted past U+00FF in order.
        const auto printable = [](int b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255); };
        int shifted = 0;
        for (int b = 0; b < 256; ++b) {
            const char32_t cp = printable(b) ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + shifted++);
            utf8::append(r.charOfByte[static_cast<std::size_t>(b)], cp);
            r.byteOfChar[cp] = b;
        }
        return r;
    }();
    return t;
}

} // namespace

const std::string& charFor(unsigned char byte)
{
    return tables().charOfByte[byte];
}

std::string encode(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes)
        out += charFor(static_cast<unsigned char>(c));
    return out;
}

std::optional<std::string> decode(std::string_view token)
{
    const auto& t = tables();
    std::string out;
    std::size_t pos = 0;
    while (pos < token.size()) {
        const char32_t cp = utf8::next(token, pos);
        if (cp >= t.byteOfChar.size() || t.byteOfChar[cp] < 0)
            return std::nullopt;
        out += static_cast<char>(t.byteOfChar[cp]);
    }
    return out;
}

} // namespace lorsa::byte_level
