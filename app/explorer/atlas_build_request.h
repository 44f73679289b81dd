#pragma once
// What the explorer asks the worker to index into an atlas (AnalysisWorker::buildAtlas): the
// settings of `lorsa index` that a window offers. Plain C++: the worker turns it into
// IndexOptions with the session's model and Lorsa folders.

#include <cstdint>
#include <filesystem>
#include <vector>

namespace lorsa {

struct AtlasBuildRequest {
    std::filesystem::path out;                 ///< the atlas file
    std::vector<std::filesystem::path> corpus; ///< .jsonl or blank-line separated text
    int64_t context = 128;
    int64_t top = 32;
    int64_t maxTokens = 0;                     ///< 0: the whole corpus
    int64_t batch = 16;
    bool resume = false;
};

} // namespace lorsa
