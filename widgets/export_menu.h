#pragma once
// The right-click menu every view shows: "Export figure…" (PNG/SVG/PDF, width in mm, DPI) and
// "Export data…" (CSV/JSON). Errors are shown in a message box, never thrown into Qt's event loop.

class QPoint;
class QWidget;

namespace lorsa {

class FigureSource;

void showExportMenu(QWidget* parent, FigureSource& source, const QPoint& globalPos);

} // namespace lorsa
