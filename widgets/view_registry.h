#pragma once
// The explorer's views by name, for the window and for `lorsa figure --view NAME`: one list, so
// that a new view is added once.

#include "widgets/analysis_view.h"

#include <QStringList>

#include <memory>

namespace lorsa {

class SelectionModel;

/// "heatmap", "qk", "zpattern", "heads", "fidelity".
QStringList analysisViewNames();

/// A new view of that name following \p selection; null for a name not in analysisViewNames().
std::unique_ptr<AnalysisView> makeAnalysisView(const QString& name, SelectionModel* selection);

} // namespace lorsa
