#include "widgets/contribution_table.h"

#include "widgets/token_layout.h"

#include <QHeaderView>

namespace lorsa {
namespace {

QTableWidgetItem* number(double value, const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setData(Qt::UserRole, value);  // the exact number, for tests and copies
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

ContributionTable::ContributionTable(QWidget* parent) : QTableWidget(0, ColumnCount, parent)
{
    setHorizontalHeaderLabels({tr("#"), tr("key token"), tr("pos"), tr("A·v"), tr("share")});
    horizontalHeaderItem(ContributionColumn)->setToolTip(tr("The key's contribution A[q,k]·v[k] to the query's z"));
    horizontalHeaderItem(ShareColumn)->setToolTip(tr("|A[q,k]·v[k]| over Σ_k |A[q,k]·v[k]| at this query"));
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setSectionResizeMode(TokenColumn, QHeaderView::Stretch);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::NoSelection);
    setFocusPolicy(Qt::NoFocus);
    setWordWrap(false);
}

void ContributionTable::setContributions(const std::vector<KeyContribution>& keys, const std::vector<TokenInfo>& tokens)
{
    setRowCount(static_cast<int>(keys.size()));
    for (int row = 0; row < rowCount(); ++row) {
        const KeyContribution& key = keys[static_cast<size_t>(row)];
        const QString text = static_cast<size_t>(key.key) < tokens.size() ? displayToken(tokens[static_cast<size_t>(key.key)].text) : QString();
        setItem(row, RankColumn, number(row + 1, QString::number(row + 1)));
        setItem(row, TokenColumn, new QTableWidgetItem(text));
        setItem(row, PositionColumn, number(key.key, QString::number(key.key)));
        setItem(row, ContributionColumn, number(key.value, QString::number(key.value, 'f', 4)));
        setItem(row, ShareColumn, number(key.share, QStringLiteral("%1%").arg(100 * key.share, 0, 'f', 1)));
    }
}

QSize ContributionTable::sizeHint() const
{
    // Room for the header and the first rows; the plots above need the height more, and the
    // splitter gives the list more on request.
    return {QTableWidget::sizeHint().width(), horizontalHeader()->sizeHint().height() + 4 * verticalHeader()->defaultSectionSize() + 2 * frameWidth()};
}

} // namespace lorsa
