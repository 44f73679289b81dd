#include "tests/model/io/safetensors_bytes.h"

#include <cstring>

namespace lorsa::test {

std::string safetensorsBytes(const std::string& header, const std::string& data)
{
    std::string bytes(8, '\0');
    uint64_t length = header.size();
    for (int i = 0; i < 8; ++i)
        bytes[static_cast<size_t>(i)] = static_cast<char>((length >> (8 * i)) & 0xff);
    return bytes + header + data;
}

std::string floatBytes(std::initializer_list<float> values)
{
    std::string bytes;
    for (const float value : values) {
        char raw[4];
        std::memcpy(raw, &value, 4);  // the test machines are little-endian, as the format is
        bytes.append(raw, 4);
    }
    return bytes;
}

} // namespace lorsa::test
