#pragma once
// The right-click menu every view shows: "Export figure…" (PNG/SVG/PDF, width in mm or inches,
// DPI) and "Export data…" (CSV/JSON). Errors are shown in a message box, never thrown into Qt's
// event loop.

#include <QList>

class QAction;
class QPoint;
class QWidget;

namespace lorsa {

class FigureSource;
struct FigureOptions;

/// \p before: the view's own actions, listed above the export entries.
void showExportMenu(QWidget* parent, FigureSource& source, const QPoint& globalPos, const QList<QAction*>& before = {});
/// The figure size dialog (width in mm or inches, PNG resolution); false when cancelled.
bool askFigureOptions(QWidget* parent, FigureOptions& options);

} // namespace lorsa
