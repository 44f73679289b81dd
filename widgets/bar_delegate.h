#pragma once
// Paints a numeric cell as a bar proportional to the model's ValueRole over MaximumRole (as
// hotspot's CostDelegate does), with the display text on top.

#include <QStyledItemDelegate>

namespace lorsa {

class BarDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace lorsa
