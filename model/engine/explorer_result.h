#pragma once
/// \file
/// One explorer request's answer: the prompt's analysis and the detail of the selection the
/// request resolved, built on the worker and shared read-only with every view.

#include "model/engine/analysis.h"
#include "model/engine/selection_intent.h"

#include <memory>

namespace lorsa {

struct ExplorerResult {
    uint64_t generation = 0;     ///< the request's
    PromptAnalysisPtr analysis;  ///< shared by every result about the same prompt
    HeadDetailPtr detail;        ///< of `selection` (without a Lorsa: the MHSA head's pattern only)
    Selection selection;         ///< what the request resolved to (detail->mhsaHead names the MHSA head shown)
};
using ExplorerResultPtr = std::shared_ptr<const ExplorerResult>;

} // namespace lorsa
