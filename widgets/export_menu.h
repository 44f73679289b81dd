#pragma once
// The right-click menu every view shows: "Export figure…" (PNG/SVG/PDF, width and height in mm or
// inches, DPI, and for views that take a FigureStyle: font size, title, colour range) and
// "Export data…" (CSV/JSON). Errors are shown in a message box, never thrown into Qt's
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
/// The figure dialog (size in mm or inches, PNG resolution and, \p withStyle, the FigureStyle);
/// false when cancelled.
bool askFigureOptions(QWidget* parent, FigureOptions& options, bool withStyle);

} // namespace lorsa
