#include "widgets/empty_state.h"

#include <QCoreApplication>

namespace lorsa {

bool withoutLorsa(const PromptAnalysis* analysis)
{
    // The session says whether a Lorsa is loaded (a model-only detail holds the MHSA pattern alone).
    return analysis && analysis->session && analysis->session->nOvHeads == 0;
}

EmptyReason emptyReasonFor(const ExplorerResultPtr& result, bool needsLorsa)
{
    if (!result || !result->analysis)
        return EmptyReason::NotAnalysed;
    return needsLorsa && withoutLorsa(result->analysis.get()) ? EmptyReason::NeedsLorsa : EmptyReason::None;
}

QString emptyStateText(EmptyReason reason)
{
    const auto tr = [](const char* text) { return QCoreApplication::translate("EmptyState", text); };
    switch (reason) {
    case EmptyReason::None: return {};
    case EmptyReason::NothingLoaded: return tr("No model loaded.\nOpen a model folder (File → Open model folder…) or drop one on the window.");
    case EmptyReason::NotAnalysed: return tr("Nothing analysed yet.\nType a prompt above.");
    case EmptyReason::AnalysisFailed: return tr("The analysis failed.\nThe message at the top of the window says why.");
    case EmptyReason::NeedsLorsa:
        return tr("This view needs a Lorsa.\nOpen a Lorsa folder for this model (File → Open Lorsa folder…).");
    }
    return {};
}

} // namespace lorsa
