#pragma once
// A tiny GPT-2 with a matching Lorsa (and a mismatched one) written in the real formats, for the
// explorer's worker, window and figure tests.

#include "tests/support/temp_dir.h"

#include <filesystem>

namespace lorsa::test {

struct ExplorerFixture {
    /// \p large: a bigger model (d_model 256, 6 layers, 2,048 positions) whose load and
    /// analysis take long enough to measure responsiveness against.
    explicit ExplorerFixture(bool large = false);

    TempDir dir;
    std::filesystem::path model;          ///< gpt2 folder
    std::filesystem::path lorsa;          ///< Lorsa of layer 1 with the model's d_model
    std::filesystem::path wrongLorsa;     ///< d_model 16: does not fit the model
    int nOvHeads = 0;
};

} // namespace lorsa::test
