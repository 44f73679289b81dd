#pragma once
// What the atlas head list shows of an AtlasHeadTableModel: sorted by kSortRole, filtered by text
// (a number matches that head exactly; other text matches label, note or the peak token), by a
// set of heads found elsewhere (heads whose top contexts peak on a token), and to bookmarks.

#include <QSortFilterProxyModel>

#include <optional>
#include <unordered_set>

namespace lorsa {

class AtlasHeadFilter : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit AtlasHeadFilter(QObject* parent = nullptr);

    /// "12" or "#12": head 12 only; other text: label, note or peak token containing it
    /// (case-insensitive); empty: every head.
    void setText(const QString& text);
    /// Only these heads (nullopt: no restriction).
    void setHeads(std::optional<std::unordered_set<qint64>> heads);
    void setBookmarkedOnly(bool only);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QString m_text;
    std::optional<qint64> m_exactHead;
    std::optional<std::unordered_set<qint64>> m_heads;
    bool m_bookmarkedOnly = false;
};

} // namespace lorsa
