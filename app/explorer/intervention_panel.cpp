#include "app/explorer/intervention_panel.h"

#include "widgets/token_layout.h"

#include <QHeaderView>
#include <QLabel>
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
    , m_table(new QTableWidget(0, 4, this))
{
    m_caption->setWordWrap(true);
    m_table->setHorizontalHeaderLabels({tr("Next token"), tr("With Lorsa"), tr("Intervened"), tr("Change")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_caption);
    layout->addWidget(m_table, 1);
    clear(tr("Tick “Ablate” or change “Scale” of heads in the head list to see how the next-token probabilities change."));
}

void InterventionPanel::clear(const QString& hint)
{
    m_caption->setText(hint);
    m_table->setRowCount(0);
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
    // The top predictions first, then the tokens that moved most and are not among them.
    std::vector<std::pair<TokenScore, float>> rows;  // (baseline score, intervened probability)
    for (size_t i = 0; i < result->baseline.size() && i < result->intervened.size(); ++i)
        rows.emplace_back(result->baseline[i], result->intervened[i].score);
    for (const TokenScore& change : result->biggestChanges) {
        const bool shown = std::any_of(rows.begin(), rows.end(), [&](const auto& row) { return row.first.id == change.id; });
        if (!shown)
            rows.emplace_back(TokenScore{change.id, change.text, std::numeric_limits<float>::quiet_NaN()}, change.score);
    }
    m_table->setRowCount(static_cast<int>(rows.size()));
    for (int row = 0; row < static_cast<int>(rows.size()); ++row) {
        const auto& [base, after] = rows[static_cast<size_t>(row)];
        m_table->setItem(row, 0, new QTableWidgetItem(displayToken(base.text)));
        if (std::isnan(base.score)) {
            // Only the change is known for tokens outside the top list.
            m_table->setItem(row, 1, new QTableWidgetItem(QStringLiteral("–")));
            m_table->setItem(row, 2, new QTableWidgetItem(QStringLiteral("–")));
            m_table->setItem(row, 3, number(after, true));
        } else {
            m_table->setItem(row, 1, number(base.score, false));
            m_table->setItem(row, 2, number(after, false));
            m_table->setItem(row, 3, number(after - base.score, true));
        }
    }
}

} // namespace lorsa
