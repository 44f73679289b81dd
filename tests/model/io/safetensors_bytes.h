#pragma once
// Builds safetensors files byte by byte, so that tests can write layouts (hostile or merely
// unusual) that writeSafetensors would never produce.

#include <cstdint>
#include <string>

namespace lorsa::test {

/// The 8-byte little-endian length, \p header verbatim, then \p data.
std::string safetensorsBytes(const std::string& header, const std::string& data);

/// The little-endian bytes of \p values as float32.
std::string floatBytes(std::initializer_list<float> values);

} // namespace lorsa::test
