#include "app/explorer/intervention_panel.h"

#include "widgets/token_layout.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace lorsa {
namespace {

QTableWidgetItem* number(double value, bool signedValue)
{
    auto* item = new QTableWidgetItem(signedValue ? QString::asprintf("%+.4f", value) : QString::asprintf("%.4f", value));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setData(Qt::UserRole, value);
    return item;
}

} // namespace

InterventionPanel::InterventionPanel(QWidget* parent)
    : QWidget(parent)
    , m_caption(new QLabel(this))
    , m_reset(new QPushButton(tr("Reset all"), this))
    , m_table(new QTableWidget(0, 5, this))
{
    m_caption->setWordWrap(true);
    m_reset->setObjectName(QStringLiteral("resetInterventions"));
    m_reset->setToolTip(tr("Every head back at scale 1 (no ablation)"));
    m_reset->setEnabled(false);
    connect(m_reset, &QPushButton::clicked, this, &InterventionPanel::resetRequested);
    m_table->setHorizontalHeaderLabels({tr("Next token"), tr("Clean model"), tr("With Lorsa"), tr("Intervened"), tr("Change")});
    m_table->horizontalHeaderItem(CleanColumn)->setToolTip(tr("The model alone: how far the Lorsa's splice already moves each token"));
    m_table->horizontalHeaderItem(ChangeColumn)->setToolTip(tr("Intervened minus with Lorsa"));
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    // Room for five rows before it scrolls.
    m_table->setMinimumHeight(m_table->horizontalHeader()->sizeHint().height() + 5 * m_table->verticalHeader()->defaultSectionSize() +
                              2 * m_table->frameWidth());
    auto* top = new QHBoxLayout;
    top->addWidget(m_caption, 1);
    top->addWidget(m_reset, 0, Qt::AlignTop);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
    clear(tr("Tick “Ablate” or change “Scale” of heads in the head list to see how the next-token probabilities change."));
}

void InterventionPanel::clear(const QString& hint)
{
    m_caption->setText(hint);
    m_table->setRowCount(0);
    m_reset->setEnabled(false);
}

void InterventionPanel::setResult(InterventionResultPtr result)
{
    if (!result) {
        clear({});
        return;
    }
    QStringList heads;
    for (const auto& [head, scale] : result->headScales)
        heads << (scale == 0 ? tr("head %1 ablated").arg(head) : tr("head %1 × %2").arg(head).arg(scale));
    m_caption->setText(tr("At token %1, %2:").arg(result->queryToken).arg(heads.join(QStringLiteral(", "))));
    m_reset->setEnabled(!result->headScales.empty());
    // The top predictions first, then the tokens that moved most and are not among them.
    struct Row {
        TokenScore withLorsa;
        float clean;
        float after;  // intervened probability, or only the change outside the top list
    };
    std::vector<Row> rows;
    for (size_t i = 0; i < result->baseline.size() && i < result->intervened.size(); ++i)
        rows.push_back({result->baseline[i], i < result->clean.size() ? result->clean[i].score : std::numeric_limits<float>::quiet_NaN(),
                        result->intervened[i].score});
    for (const TokenScore& change : result->biggestChanges) {
        const bool shown = std::any_of(rows.begin(), rows.end(), [&](const Row& row) { return row.withLorsa.id == change.id; });
        if (!shown)
            rows.push_back({TokenScore{change.id, change.text, std::numeric_limits<float>::quiet_NaN()}, std::numeric_limits<float>::quiet_NaN(),
                            change.score});
    }
    const auto dash = [] { return new QTableWidgetItem(QStringLiteral("–")); };
    m_table->setRowCount(static_cast<int>(rows.size()));
    for (int row = 0; row < static_cast<int>(rows.size()); ++row) {
        const Row& r = rows[static_cast<size_t>(row)];
        m_table->setItem(row, TokenColumn, new QTableWidgetItem(displayToken(r.withLorsa.text)));
        m_table->setItem(row, CleanColumn, std::isnan(r.clean) ? dash() : number(r.clean, false));
        if (std::isnan(r.withLorsa.score)) {
            // Only the change is known for tokens outside the top list.
            m_table->setItem(row, LorsaColumn, dash());
            m_table->setItem(row, IntervenedColumn, dash());
            m_table->setItem(row, ChangeColumn, number(r.after, true));
        } else {
            m_table->setItem(row, LorsaColumn, number(r.withLorsa.score, false));
            m_table->setItem(row, IntervenedColumn, number(r.after, false));
            m_table->setItem(row, ChangeColumn, number(r.after - r.withLorsa.score, true));
        }
    }
}

} // namespace lorsa
