#include "widgets/atlas_head_table_model.h"

#include "widgets/frequency_text.h"
#include "widgets/token_layout.h"

namespace lorsa {

AtlasHeadTableModel::AtlasHeadTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void AtlasHeadTableModel::setRows(std::vector<AtlasHeadRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int AtlasHeadTableModel::rowOfHead(int64_t head) const
{
    // readHeadRows gives row = head; the search keeps this right for rows in any order.
    if (head >= 0 && head < static_cast<int64_t>(m_rows.size()) && m_rows[static_cast<size_t>(head)].head == head)
        return static_cast<int>(head);
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].head == head)
            return static_cast<int>(i);
    return -1;
}

void AtlasHeadTableModel::setAnnotation(const HeadAnnotation& annotation)
{
    const int row = rowOfHead(annotation.head);
    if (row < 0)
        return;
    auto& entry = m_rows[static_cast<size_t>(row)];
    entry.label = annotation.label;
    entry.note = annotation.note;
    entry.bookmark = annotation.bookmark;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int AtlasHeadTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int AtlasHeadTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AtlasHeadTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto& row = m_rows[static_cast<size_t>(index.row())];
    const auto column = static_cast<Column>(index.column());
    if (role == kHeadRole)
        return QVariant::fromValue<qint64>(row.head);
    if (role == Qt::CheckStateRole)
        return column == Bookmark ? QVariant(row.bookmark ? Qt::Checked : Qt::Unchecked) : QVariant();
    if (role == Qt::TextAlignmentRole)
        return column == Label || column == TopToken ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        if (column == Label && !row.note.empty())
            return QString::fromStdString(row.note);
        if (column == TopToken && !row.topToken.empty())
            return tr("The token the head's strongest context peaks on: “%1”").arg(QString::fromStdString(row.topToken));
        if (column == Frequency)
            return tr("%1 active positions").arg(row.activeCount);
        return {};
    }
    if (role == kSortRole) {
        switch (column) {
        case Head: return QVariant::fromValue<qint64>(row.head);
        case Bookmark: return row.bookmark ? 1 : 0;
        case Label: return QString::fromStdString(row.label).toLower();
        case TopToken: return QString::fromStdString(row.topToken).toLower();
        case Frequency: return row.frequency;
        case Max: return row.max;
        case QkHead: return QVariant::fromValue<qint64>(row.qkHead);
        case Induction: return row.induction;
        case PreviousToken: return row.previousToken;
        case SimilarMhsa: return QVariant::fromValue<qint64>(row.similarMhsaHead);
        case ColumnCount: break;
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Head: return QVariant::fromValue<qint64>(row.head);
    case Bookmark: return {};
    case Label: return QString::fromStdString(row.label);
    case TopToken: return row.topToken.empty() ? QString() : displayToken(row.topToken);
    case Frequency: return row.activeCount == 0 ? tr("dead") : frequencyText(row.frequency);
    case Max: return QString::number(row.max, 'g', 4);
    case QkHead: return QVariant::fromValue<qint64>(row.qkHead);
    case Induction: return QString::number(row.induction, 'f', 3);
    case PreviousToken: return QString::number(row.previousToken, 'f', 3);
    case SimilarMhsa: return row.similarMhsaHead < 0 ? QString() : QStringLiteral("H%1").arg(row.similarMhsaHead);
    case ColumnCount: break;
    }
    return {};
}

QVariant AtlasHeadTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    static const char* const kTitles[ColumnCount] = {"Head", "\u2605", "Label", "Peaks on", "Active", "Max", "QK head", "Induction", "Prev. token", "Like MHSA"};
    static const char* const kTips[ColumnCount] = {
        "The Lorsa OV head",
        "Bookmarked",
        "Your label (the note shows as its tooltip)",
        "The token its strongest context peaks on",
        "Share of corpus positions where the head is active",
        "Largest activation over the corpus",
        "The QK head it reads its pattern from",
        "Induction score of its QK head",
        "Previous-token score of its QK head",
        "The MHSA head whose pattern is closest, on its strongest context",
    };
    if (role == Qt::DisplayRole)
        return tr(kTitles[section]);
    if (role == Qt::ToolTipRole)
        return tr(kTips[section]);
    return {};
}

Qt::ItemFlags AtlasHeadTableModel::flags(const QModelIndex& index) const
{
    auto flags = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Bookmark)
        flags |= Qt::ItemIsUserCheckable;
    return flags;
}

bool AtlasHeadTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || index.column() != Bookmark ||
        role != Qt::CheckStateRole)
        return false;
    auto& row = m_rows[static_cast<size_t>(index.row())];
    const bool bookmark = value.toInt() == Qt::Checked;
    if (row.bookmark == bookmark)
        return true;
    row.bookmark = bookmark;
    Q_EMIT dataChanged(index, index, {Qt::CheckStateRole, kSortRole});
    Q_EMIT bookmarkToggled(row.head, bookmark);
    return true;
}

} // namespace lorsa
