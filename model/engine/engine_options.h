#pragma once
/// \file
/// What to load: the one set of options behind the Engine (CLI, trainer, benchmarks) and the
/// ExplorerSession (the GUI). Plain C++, no LibTorch, so that Qt code can fill it in.

#include "model/engine/lorsa_input.h"
#include "model/lorsa/lorsa_set.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace lorsa {

struct EngineOptions {
    std::filesystem::path modelDir;
    std::filesystem::path lorsaDir;              ///< empty: no Lorsa; a Lorsa folder or a set (lorsa_set.h)
    /// Which Lorsa of a set: layer and variant. The Engine needs the layer for a set; an
    /// ExplorerSession starts on the set's first Lorsa when it is not given.
    LorsaChoice lorsaChoice;
    std::string device = "auto";                 ///< auto | cpu | cuda | cuda:N
    std::string dtype = "auto";                  ///< auto | float32 | bfloat16 | float16 (chooseDtype())
    int threads = 0;                             ///< CPU threads, 0 = all cores
    std::optional<LorsaInputMode> lorsaInput;    ///< override of the detected input
    std::function<void(double fraction, const std::string& stage)> progress;
};

} // namespace lorsa
