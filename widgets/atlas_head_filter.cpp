#include "widgets/atlas_head_filter.h"

#include "widgets/atlas_head_table_model.h"

namespace lorsa {

AtlasHeadFilter::AtlasHeadFilter(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(AtlasHeadTableModel::kSortRole);
}

void AtlasHeadFilter::setText(const QString& text)
{
    const QString trimmed = text.trimmed();
    QString number = trimmed.startsWith(QLatin1Char('#')) ? trimmed.mid(1) : trimmed;
    bool isNumber = false;
    const qint64 head = number.toLongLong(&isNumber);
    m_exactHead = isNumber && !number.isEmpty() ? std::optional<qint64>(head) : std::nullopt;
    m_text = m_exactHead ? QString() : trimmed;
    invalidateFilter();
}

void AtlasHeadFilter::setHeads(std::optional<std::unordered_set<qint64>> heads)
{
    m_heads = std::move(heads);
    invalidateFilter();
}

void AtlasHeadFilter::setBookmarkedOnly(bool only)
{
    m_bookmarkedOnly = only;
    invalidateFilter();
}

bool AtlasHeadFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const auto* model = qobject_cast<const AtlasHeadTableModel*>(sourceModel());
    if (!model || sourceParent.isValid() || sourceRow < 0 || sourceRow >= static_cast<int>(model->rows().size()))
        return false;
    const auto& row = model->rows()[static_cast<size_t>(sourceRow)];
    if (m_exactHead && row.head != *m_exactHead)
        return false;
    if (m_heads && !m_heads->count(row.head))
        return false;
    if (m_bookmarkedOnly && !row.bookmark)
        return false;
    if (m_text.isEmpty())
        return true;
    for (const auto* field : {&row.label, &row.note, &row.topToken})
        if (QString::fromStdString(*field).contains(m_text, Qt::CaseInsensitive))
            return true;
    return false;
}

bool AtlasHeadFilter::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant a = left.data(sortRole());
    const QVariant b = right.data(sortRole());
    if (a != b)
        return QVariant::compare(a, b) == QPartialOrdering::Less;
    // Equal keys keep head order, so a sort is stable across filter changes.
    return left.data(AtlasHeadTableModel::kHeadRole).toLongLong() < right.data(AtlasHeadTableModel::kHeadRole).toLongLong();
}

} // namespace lorsa
