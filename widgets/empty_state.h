#pragma once
// Why a view has nothing to draw, and what it says instead: no model loaded, nothing analysed
// yet, the analysis failed, or (model-only mode) no Lorsa for a view that shows a Lorsa's heads.

#include "model/engine/explorer_result.h"

#include <QString>

namespace lorsa {

enum class EmptyReason {
    None,            ///< the view has something to show
    NothingLoaded,   ///< no model open
    NotAnalysed,     ///< a model is open, no prompt analysed (yet)
    AnalysisFailed,  ///< the last analysis failed (the banner has the error)
    NeedsLorsa,      ///< a model without a Lorsa, and the view shows a Lorsa's heads
};

/// Whether \p analysis comes from a session without a Lorsa (model-only mode); false for null.
bool withoutLorsa(const PromptAnalysis* analysis);

/// The reason a view with \p result has nothing to show: NotAnalysed without a result,
/// NeedsLorsa for a result without a Lorsa when \p needsLorsa, else None.
EmptyReason emptyReasonFor(const ExplorerResultPtr& result, bool needsLorsa);

/// The short message shown centred in place of the plots; empty for EmptyReason::None.
QString emptyStateText(EmptyReason reason);

} // namespace lorsa
