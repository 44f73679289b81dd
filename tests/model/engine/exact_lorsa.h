#pragma once
// A Lorsa that reproduces a GPT-2 fixture layer's attention exactly: one QK head per MHSA head,
// and for each value dimension j of head h an OV head (w_v = W_V^h[:,j], w_o = W_O^h[j,:]) plus
// its negated twin, so that ReLU keeps exactly one of each pair and the sum equals MHSA.
// `affine` decides which input it was "trained" on: the LayerNorm output with its weight and
// bias (uncentred target), or the plain normalised vector (weights folded, output centred).

#include <filesystem>

namespace lorsa::test {

void writeExactGpt2Lorsa(const std::filesystem::path& lorsaDir, const std::filesystem::path& gpt2Dir, int64_t layer,
                         int64_t nHeads, bool affine);

} // namespace lorsa::test
