#pragma once
// Every head of an atlas as a table (the atlas browser's head list): tens of thousands of rows read
// once (readHeadRows), sorted through kSortRole by an AtlasHeadFilter. Bookmarks are checkable in
// place; the model only reports the change, the browser stores it.

#include "model/atlas/atlas_types.h"

#include <QAbstractTableModel>

#include <vector>

namespace lorsa {

class AtlasHeadTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Head, Bookmark, Label, TopToken, Frequency, Max, QkHead, Induction, PreviousToken, SimilarMhsa, ColumnCount };
    /// Numbers for numeric columns, lower-cased text for text columns: what sorting compares.
    static constexpr int kSortRole = Qt::UserRole + 1;
    /// The row's head index (qint64), in every column.
    static constexpr int kHeadRole = Qt::UserRole + 2;

    explicit AtlasHeadTableModel(QObject* parent = nullptr);

    void setRows(std::vector<AtlasHeadRow> rows);
    const std::vector<AtlasHeadRow>& rows() const { return m_rows; }
    /// The row of \p head, or -1.
    int rowOfHead(int64_t head) const;
    /// Shows a stored annotation in its head's row.
    void setAnnotation(const HeadAnnotation& annotation);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

Q_SIGNALS:
    /// The user ticked or cleared a bookmark.
    void bookmarkToggled(qint64 head, bool bookmark);

private:
    std::vector<AtlasHeadRow> m_rows;  // row i is head i (readHeadRows orders by head)
};

} // namespace lorsa
