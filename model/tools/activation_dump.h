#pragma once
/// \file
/// What `lorsa analyze --dump` writes: named activations without the batch dimension, floats as
/// F32 and integers as I64, ready for safetensors.

#include "model/engine/engine.h"

#include <ATen/ATen.h>

#include <string>
#include <utility>
#include <vector>

namespace lorsa {

struct DumpRequest {
    std::vector<std::string> names;   ///< empty: the default set
    std::vector<int64_t> zHeads;      ///< lorsa.z_pattern of these heads, in this order
};

/// Every name a dump may hold for this engine (model hooks of every layer, lorsa.*, tokens).
std::vector<std::string> availableDumpNames(const Engine& engine);

/// The default set: tokens; per layer resid_pre, ln1.hook_normalized, attn.hook_pattern,
/// attn.hook_z, hook_attn_out, hook_resid_post; logits; the lorsa.* outputs when a Lorsa is
/// loaded; lorsa.z_pattern(_heads) when z-heads are given.
std::vector<std::string> defaultDumpNames(const Engine& engine, bool withZPatterns);

/// Runs the prompt and returns the requested tensors in the request's order. Throws
/// Error(InvalidInput) naming an unknown hook and listing where the valid ones come from.
std::vector<std::pair<std::string, at::Tensor>> computeDump(const Engine& engine, const PromptTokens& prompt,
                                                            const DumpRequest& request);

} // namespace lorsa
