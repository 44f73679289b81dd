#pragma once
// The atlas suites' corpus text, in a plain header (no LibTorch) for the tests that also include Qt.

#include <cstdint>
#include <string>

namespace lorsa::test {

/// A deterministic corpus of \p documents documents of varying length.
std::string fixtureCorpusText(int documents, uint64_t seed);

} // namespace lorsa::test
