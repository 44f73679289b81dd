#include "widgets/fidelity_panel.h"

#include "widgets/data_writer.h"
#include "widgets/export_menu.h"
#include "widgets/plot_style.h"

#include <QContextMenuEvent>
#include <QLabel>
#include <QVBoxLayout>

#include <cmath>

namespace lorsa {

FidelityPanel::FidelityPanel(QWidget* parent)
    : QWidget(parent), m_numbers(new QLabel(this)), m_warning(new QLabel(this)), m_plot(new QCustomPlot(this))
{
    m_numbers->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warning->setObjectName(QStringLiteral("fidelityWarning"));
    m_warning->setWordWrap(true);
    // The banner's warm red: readable in both themes, and it must not pass for a plain number.
    m_warning->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; font-weight: bold; }"));
    m_plot->addGraph();
    m_plot->xAxis->setLabel(tr("token"));
    m_plot->yAxis->setLabel(tr("error"));  // short: the panel is low; the tool tip says what it is
    m_plot->setToolTip(tr("Per-token reconstruction error: |attention output − Lorsa output|² over the mean "
                          "per-token variance of the attention output"));
    m_plot->setMinimumHeight(120);
    // A 2,048-token prompt's line costs 25 ms per replot with exact antialiased joins.
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    applyPlotTheme(m_plot, Theme::fromPalette(palette()));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_numbers);
    layout->addWidget(m_warning);
    layout->addWidget(m_plot, 1);
    rebuild();
}

void FidelityPanel::setResult(const ExplorerResultPtr& result)
{
    // Fidelity is a property of the prompt and the layer, not of the selected head.
    const auto analysis = result ? result->analysis : nullptr;
    if (analysis == m_analysis && analysis)
        return;
    m_analysis = analysis;
    rebuild();
}

QString FidelityPanel::summary() const
{
    if (!m_analysis)
        return tr("No prompt analysed");
    const Fidelity& f = m_analysis->fidelity;
    const double delta = f.splicedLoss - f.cleanLoss;
    // The layer leads: with a Lorsa set the panel's numbers change with the layer selector.
    return tr("Layer %1 · FVU %2 · mean L0 %3 · loss %4 → %5 (%6%7 nats/token)")
        .arg(m_analysis->session->layer).arg(f.fvu, 0, 'f', 4).arg(f.meanL0, 0, 'f', 2).arg(f.cleanLoss, 0, 'f', 4).arg(f.splicedLoss, 0, 'f', 4)
        .arg(delta >= 0 ? QStringLiteral("+") : QString()).arg(delta, 0, 'f', 4);
}

QString FidelityPanel::warning() const
{
    if (!m_analysis || !(m_analysis->fidelity.fvu > 1.0))
        return {};
    return tr("⚠ FVU above 1: the Lorsa explains this prompt worse than a constant. Is it the Lorsa of this model and layer?");
}

void FidelityPanel::rebuild()
{
    m_numbers->setText(summary());
    m_warning->setText(warning());
    m_warning->setVisible(!m_warning->text().isEmpty());
    QVector<double> keys;
    QVector<double> values;
    if (m_analysis) {
        const std::vector<float>& errors = m_analysis->fidelity.errorPerToken;
        for (size_t t = 0; t < errors.size(); ++t) {
            keys << static_cast<double>(t);
            values << (std::isfinite(errors[t]) ? errors[t] : std::nan(""));
        }
    }
    const Theme theme = Theme::fromPalette(palette());
    m_plot->graph(0)->setPen(QPen(theme.line, 1.5));
    m_plot->graph(0)->setData(keys, values, true);
    bool found = false;
    const QCPRange range = m_plot->graph(0)->getValueRange(found);
    m_plot->xAxis->setRange(-0.5, std::max(1.0, keys.size() - 0.5));
    m_plot->yAxis->setRange(0, found && range.upper > 0 ? range.upper * 1.05 : 1.0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void FidelityPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        applyPlotTheme(m_plot, Theme::fromPalette(palette()));
        rebuild();
    }
    QWidget::changeEvent(event);
}

void FidelityPanel::contextMenuEvent(QContextMenuEvent* event)
{
    showExportMenu(this, *this, event->globalPos());
}

double FidelityPanel::figureHeight(double width) const
{
    return std::max(160.0, width * 0.35);
}

void FidelityPanel::renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme)
{
    constexpr double kTextHeight = 22;
    painter.save();
    QFont font;
    font.setPointSizeF(9);
    painter.setFont(font);
    painter.setPen(theme.foreground);
    painter.drawText(QRectF(rect.left() + 6, rect.top(), rect.width() - 12, kTextHeight), Qt::AlignLeft | Qt::AlignVCenter, summary());
    applyPlotTheme(m_plot, theme);
    m_plot->graph(0)->setPen(QPen(theme.line, 1.5));
    painter.translate(rect.left(), rect.top() + kTextHeight);
    m_plot->toPainter(&painter, static_cast<int>(rect.width()), static_cast<int>(rect.height() - kTextHeight));
    painter.restore();
    applyPlotTheme(m_plot, Theme::fromPalette(palette()));
    rebuild();
}

DataTable FidelityPanel::figureData() const
{
    DataTable table;
    table.columns = {QStringLiteral("position"), QStringLiteral("token"), QStringLiteral("reconstruction_error"), QStringLiteral("l0")};
    table.meta = provenance(m_analysis.get(), figureName());
    if (!m_analysis)
        return table;
    const Fidelity& f = m_analysis->fidelity;
    table.meta[QStringLiteral("fvu")] = f.fvu;
    table.meta[QStringLiteral("mean_l0")] = f.meanL0;
    table.meta[QStringLiteral("clean_loss")] = f.cleanLoss;
    table.meta[QStringLiteral("spliced_loss")] = f.splicedLoss;
    for (size_t t = 0; t < m_analysis->tokens.size(); ++t) {
        const double error = t < f.errorPerToken.size() ? f.errorPerToken[t] : std::nan("");
        const double l0 = t < f.l0PerToken.size() ? f.l0PerToken[t] : std::nan("");
        table.rows.append({static_cast<qlonglong>(t), QString::fromStdString(m_analysis->tokens[t].text), error, l0});
    }
    return table;
}

} // namespace lorsa
