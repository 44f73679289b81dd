#pragma once
// What every explorer view is: it shows the current ExplorerResult (one prompt's analysis and the
// detail of the selection the request resolved), follows the SelectionModel it was built with,
// and offers its figure and data for export (FigureSource). The window, `lorsa figure` and the
// tests drive every view through this one interface; views are made by name (view_registry.h).

#include "model/engine/explorer_result.h"
#include "widgets/figure_source.h"

class QWidget;

namespace lorsa {

class AnalysisView : public FigureSource {
public:
    /// Shows \p result (null: nothing analysed). Consecutive results about one prompt share their
    /// analysis pointer, so a view can tell a new prompt from a new selection on the same one.
    virtual void setResult(const ExplorerResultPtr& result) = 0;
    /// The view itself, for layouts and dialogs.
    virtual QWidget* widget() = 0;
    /// Whether the view has nothing to show without a Lorsa (model-only mode): true for the
    /// views of a Lorsa's heads, which are most of them (EmptyStateCover says so in their place).
    virtual bool needsLorsa() const { return true; }
};

} // namespace lorsa
