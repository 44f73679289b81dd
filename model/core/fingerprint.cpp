#include "model/core/fingerprint.h"

#include "model/core/error.h"

#include <cstdint>
#include <fstream>
#include <sstream>

namespace lorsa {

std::string fnv1aHex(const std::string& bytes)
{
    uint64_t hash = 0xcbf29ce484222325ull;
    for (const unsigned char c : bytes) {
        hash ^= c;
        hash *= 0x100000001b3ull;
    }
    char text[17];
    static const char* digits = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        text[i] = digits[hash & 0xf];
        hash >>= 4;
    }
    text[16] = 0;
    return text;
}

std::string configFingerprint(const std::filesystem::path& dir)
{
    std::ifstream in(dir / "config.json", std::ios::binary);
    if (!in)
        throw Error(ErrorKind::InvalidFile, (dir / "config.json").string() + ": cannot read it to fingerprint it");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return fnv1aHex(bytes.str());
}

} // namespace lorsa
