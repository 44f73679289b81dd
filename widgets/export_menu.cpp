#include "widgets/export_menu.h"

#include "model/core/error.h"
#include "widgets/figure_exporter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
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

bool askFigureOptions(QWidget* parent, FigureOptions& options, bool withStyle)
{
    constexpr double kMmPerInch = 25.4;
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Figure"));
    auto* form = new QFormLayout(&dialog);
    auto* width = new QDoubleSpinBox(&dialog);
    width->setDecimals(2);
    width->setRange(10, FigureExporter::kMaxWidthMm);
    width->setValue(options.widthMm);
    auto* unit = new QComboBox(&dialog);
    unit->addItem(QObject::tr("mm"));
    unit->addItem(QObject::tr("inches"));
    // 0: the height the view needs for the width.
    auto* height = new QDoubleSpinBox(&dialog);
    height->setDecimals(2);
    height->setRange(0, FigureExporter::kMaxWidthMm * 4);
    height->setSpecialValueText(QObject::tr("as needed"));
    height->setValue(options.heightMm > 0 ? options.heightMm : 0);
    // The values stay the same lengths when the unit changes.
    QObject::connect(unit, &QComboBox::currentIndexChanged, &dialog, [width, height](int index) {
        const bool inches = index == 1;
        const double factor = inches ? 1 / kMmPerInch : kMmPerInch;
        const double w = width->value() * factor, h = height->value() * factor;
        width->setRange(inches ? 10 / kMmPerInch : 10, inches ? FigureExporter::kMaxWidthMm / kMmPerInch : FigureExporter::kMaxWidthMm);
        height->setMaximum(4 * width->maximum());
        width->setValue(w);
        height->setValue(h);
    });
    auto* widthRow = new QHBoxLayout;
    widthRow->addWidget(width, 1);
    widthRow->addWidget(unit);
    auto* dpi = new QSpinBox(&dialog);
    dpi->setRange(10, FigureExporter::kMaxDpi);
    dpi->setValue(options.dpi);
    form->addRow(QObject::tr("Width"), widthRow);
    form->addRow(QObject::tr("Height"), height);
    form->addRow(QObject::tr("Resolution (PNG, DPI)"), dpi);

    // The style: its minimum font size stands for the view's own sizes.
    auto* font = new QDoubleSpinBox(&dialog);
    font->setDecimals(1);
    font->setSingleStep(0.5);
    font->setRange(FigureExporter::kMinFontPt - 0.5, FigureExporter::kMaxFontPt);
    font->setSpecialValueText(QObject::tr("view's default"));
    font->setSuffix(QObject::tr(" pt"));
    font->setValue(options.style.fontPt > 0 ? options.style.fontPt : font->minimum());
    auto* title = new QCheckBox(QObject::tr("Title"), &dialog);
    title->setChecked(options.style.title);
    auto* range = new QComboBox(&dialog);
    range->addItem(QObject::tr("Shared by the maps"), static_cast<int>(FigureStyle::Range::Shared));
    range->addItem(QObject::tr("Each map its own"), static_cast<int>(FigureStyle::Range::PerMap));
    range->addItem(QObject::tr("Fixed"), static_cast<int>(FigureStyle::Range::Fixed));
    range->setCurrentIndex(range->findData(static_cast<int>(options.style.range)));
    auto* lower = new QDoubleSpinBox(&dialog);
    auto* upper = new QDoubleSpinBox(&dialog);
    for (QDoubleSpinBox* end : {lower, upper}) {
        end->setDecimals(4);
        end->setRange(-1e6, 1e6);
        end->setSingleStep(0.05);
    }
    lower->setValue(options.style.lower);
    upper->setValue(options.style.upper);
    auto fixedOnly = [range, lower, upper] {
        const bool fixed = range->currentData().toInt() == static_cast<int>(FigureStyle::Range::Fixed);
        lower->setEnabled(fixed);
        upper->setEnabled(fixed);
    };
    fixedOnly();
    QObject::connect(range, &QComboBox::currentIndexChanged, &dialog, fixedOnly);
    auto* rangeRow = new QHBoxLayout;
    rangeRow->addWidget(range, 1);
    rangeRow->addWidget(lower);
    rangeRow->addWidget(new QLabel(QStringLiteral("–"), &dialog));
    rangeRow->addWidget(upper);
    form->addRow(QObject::tr("Font size"), font);
    form->addRow(QString(), title);
    form->addRow(QObject::tr("Colour range"), rangeRow);
    // Views that do not take the style are drawn as they are: say so rather than offer it.
    if (!withStyle)
        for (QWidget* widget : std::initializer_list<QWidget*>{font, title, range, lower, upper}) {
            widget->setEnabled(false);
            widget->setToolTip(QObject::tr("This view draws its figure with its own style"));
        }

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    const double toMm = unit->currentIndex() == 1 ? kMmPerInch : 1;
    options.widthMm = width->value() * toMm;
    options.heightMm = height->value() * toMm;
    options.dpi = dpi->value();
    options.style.fontPt = font->value() == font->minimum() ? 0 : font->value();
    options.style.title = title->isChecked();
    options.style.range = static_cast<FigureStyle::Range>(range->currentData().toInt());
    options.style.lower = lower->value();
    options.style.upper = upper->value();
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
            if (!path.isEmpty() && askFigureOptions(parent, options, source.takesFigureStyle()))
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
