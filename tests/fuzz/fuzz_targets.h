#pragma once
// What each fuzz harness feeds its input to, shared with the normal suite's regression test
// (test_fuzz_regressions.cpp), which replays every input that ever crashed a harness.
// A target returns normally when the engine accepted the input, lets lorsa::Error (the clean
// refusal) escape, and throws anything else (std::logic_error) when an invariant is broken.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lorsa::fuzz {

/// The targets, by the name of their regression folder in tests/data/fuzz-regressions/:
/// safetensors, safetensors-index, torch-zip, pickle, model-config, lorsa-config,
/// tokenizer-json, tokenize.
std::vector<std::string> targetNames();

/// Runs target \p name on the input. Throws std::invalid_argument for an unknown name.
void runTarget(const std::string& name, const uint8_t* data, size_t size);

} // namespace lorsa::fuzz
