#include "widgets/bar_delegate.h"

#include "widgets/colour_scale.h"
#include "widgets/head_activation_model.h"

#include <QPainter>

#include <cmath>

namespace lorsa {

void BarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const double value = index.data(HeadActivationModel::ValueRole).toDouble();
    const double maximum = index.data(HeadActivationModel::MaximumRole).toDouble();
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    QStyle* style = opt.widget ? opt.widget->style() : nullptr;
    if (style)
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    if (std::isfinite(value) && maximum > 0) {
        const double fraction = std::clamp(std::abs(value) / maximum, 0.0, 1.0);
        const QRectF bar = QRectF(opt.rect).adjusted(2, 3, -2, -3);
        painter->save();
        // The sequential map's middle reads on light and dark bases alike.
        QColor colour = ColourScale::colourAtUnit(ColourScale::Kind::Sequential, 0.55);
        colour.setAlpha(110);
        painter->fillRect(QRectF(bar.left(), bar.top(), bar.width() * fraction, bar.height()), colour);
        painter->restore();
    }
    painter->save();
    painter->setPen(opt.palette.color(opt.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(QRectF(opt.rect).adjusted(4, 0, -4, 0), Qt::AlignRight | Qt::AlignVCenter, text);
    painter->restore();
}

} // namespace lorsa
