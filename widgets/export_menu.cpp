#include "widgets/export_menu.h"

#include "model/core/error.h"
#include "widgets/figure_exporter.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QMenu>
#include <QMessageBox>
#include <QSpinBox>

namespace lorsa {
namespace {

void reportFailure(QWidget* parent, const std::exception& error)
{
    QMessageBox::warning(parent, QObject::tr("Export failed"), QString::fromStdString(error.what()));
}

} // namespace

bool askFigureOptions(QWidget* parent, FigureOptions& options)
{
    constexpr double kMmPerInch = 25.4;
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Figure size"));
    auto* form = new QFormLayout(&dialog);
    auto* width = new QDoubleSpinBox(&dialog);
    width->setDecimals(2);
    width->setRange(10, FigureExporter::kMaxWidthMm);
    width->setValue(options.widthMm);
    auto* unit = new QComboBox(&dialog);
    unit->addItem(QObject::tr("mm"));
    unit->addItem(QObject::tr("inches"));
    // The value stays the same length when the unit changes.
    QObject::connect(unit, &QComboBox::currentIndexChanged, &dialog, [width](int index) {
        const bool inches = index == 1;
        const double mm = inches ? width->value() : width->value() * kMmPerInch;
        width->setRange(inches ? 10 / kMmPerInch : 10, inches ? FigureExporter::kMaxWidthMm / kMmPerInch : FigureExporter::kMaxWidthMm);
        width->setValue(inches ? mm / kMmPerInch : mm);
    });
    auto* widthRow = new QHBoxLayout;
    widthRow->addWidget(width, 1);
    widthRow->addWidget(unit);
    auto* dpi = new QSpinBox(&dialog);
    dpi->setRange(10, FigureExporter::kMaxDpi);
    dpi->setValue(options.dpi);
    form->addRow(QObject::tr("Width"), widthRow);
    form->addRow(QObject::tr("Resolution (PNG, DPI)"), dpi);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    options.widthMm = unit->currentIndex() == 1 ? width->value() * kMmPerInch : width->value();
    options.dpi = dpi->value();
    return true;
}

void showExportMenu(QWidget* parent, FigureSource& source, const QPoint& globalPos, const QList<QAction*>& before)
{
    QMenu menu(parent);
    if (!before.isEmpty()) {
        menu.addActions(before);
        menu.addSeparator();
    }
    QAction* figure = menu.addAction(QObject::tr("Export figure…"));
    QAction* data = menu.addAction(QObject::tr("Export data…"));
    QAction* chosen = menu.exec(globalPos);
    try {
        if (chosen == figure) {
            const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export figure"), source.figureName() + QStringLiteral(".pdf"),
                QObject::tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png)"));
            FigureOptions options;
            if (!path.isEmpty() && askFigureOptions(parent, options))
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
