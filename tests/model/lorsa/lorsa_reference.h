#pragma once
// An independent, straightforward float64 Lorsa forward for the tests: everything is
// materialised (all OV heads' patterns, explicit per-pair rotary, per-token top-k by sorting),
// the way the Python references compute it, and nothing is shared with model/lorsa.

#include "tests/support/fixture_lorsa.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <string>

namespace lorsa::test {

struct ReferenceOutput {
    at::Tensor pattern;        // [B,n_qk,T,T]
    at::Tensor hiddenPre;      // [B,T,n_ov]
    at::Tensor featureActs;    // [B,T,n_ov]
    at::Tensor reconstructed;  // [B,T,d]
    at::Tensor zPatterns;      // [B,n_ov,T,T]
};

/// All tensors of a safetensors file as float64.
std::map<std::string, at::Tensor> readAllDouble(const std::filesystem::path& file);

/// The Language-Model-SAEs forward (from_pretrained: dataset norms folded) of a fixture written
/// with \p options, reading its sae_weights.safetensors; x in model units [B,T,d].
ReferenceOutput referenceForward(const std::filesystem::path& dir, const LorsaFixtureOptions& options, const at::Tensor& x);

/// max |a - b| / max |b|, in float64 (0 when both are zero).
double maxRelativeError(const at::Tensor& actual, const at::Tensor& expected);

} // namespace lorsa::test
