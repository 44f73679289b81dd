#pragma once
// The engine options the suites open fixture checkpoints with.

#include "model/engine/engine_options.h"

#include <filesystem>

namespace lorsa::test {

/// \p model (and \p lorsa) on the CPU with one thread, so that suites running side by side under
/// ctest -j do not fight over cores.
inline EngineOptions cpuEngineOptions(const std::filesystem::path& model, const std::filesystem::path& lorsa = {})
{
    EngineOptions options;
    options.modelDir = model;
    options.lorsaDir = lorsa;
    options.device = "cpu";
    options.threads = 1;
    return options;
}

} // namespace lorsa::test
