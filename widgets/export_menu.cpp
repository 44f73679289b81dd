#include "widgets/export_menu.h"

#include "model/core/error.h"
#include "widgets/figure_exporter.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QMenu>
#include <QMessageBox>
#include <QSpinBox>

namespace lorsa {
namespace {

bool askOptions(QWidget* parent, FigureOptions& options)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Figure size"));
    auto* form = new QFormLayout(&dialog);
    auto* width = new QDoubleSpinBox(&dialog);
    width->setRange(10, FigureExporter::kMaxWidthMm);
    width->setSuffix(QStringLiteral(" mm"));
    width->setValue(options.widthMm);
    auto* dpi = new QSpinBox(&dialog);
    dpi->setRange(10, FigureExporter::kMaxDpi);
    dpi->setValue(options.dpi);
    form->addRow(QObject::tr("Width"), width);
    form->addRow(QObject::tr("Resolution (PNG, DPI)"), dpi);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    options.widthMm = width->value();
    options.dpi = dpi->value();
    return true;
}

void reportFailure(QWidget* parent, const std::exception& error)
{
    QMessageBox::warning(parent, QObject::tr("Export failed"), QString::fromStdString(error.what()));
}

} // namespace

void showExportMenu(QWidget* parent, FigureSource& source, const QPoint& globalPos)
{
    QMenu menu(parent);
    QAction* figure = menu.addAction(QObject::tr("Export figure…"));
    QAction* data = menu.addAction(QObject::tr("Export data…"));
    QAction* chosen = menu.exec(globalPos);
    try {
        if (chosen == figure) {
            const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export figure"), source.figureName() + QStringLiteral(".pdf"),
                QObject::tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png)"));
            FigureOptions options;
            if (!path.isEmpty() && askOptions(parent, options))
                FigureExporter::exportFigure(source, path, options);
        } else if (chosen == data) {
            const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export data"), source.figureName() + QStringLiteral(".csv"),
                QObject::tr("CSV (*.csv);;JSON (*.json)"));
            if (!path.isEmpty())
                FigureExporter::exportData(source, path);
        }
    } catch (const Error& error) {
        reportFailure(parent, error);
    }
}

} // namespace lorsa
