#include "widgets/selection_model.h"

namespace lorsa {

SelectionModel::SelectionModel(QObject* parent) : QObject(parent) {}

void SelectionModel::update(int& member, int value, Field field)
{
    if (member == value)
        return;
    member = value;
    Q_EMIT changed(field);
}

void SelectionModel::setLayer(int layer) { update(m_layer, layer, Field::Layer); }
void SelectionModel::setLorsaHead(int head) { update(m_lorsaHead, head, Field::LorsaHead); }
void SelectionModel::setMhsaHead(int head) { update(m_mhsaHead, head, Field::MhsaHead); }
void SelectionModel::setQueryToken(int token) { update(m_queryToken, token, Field::QueryToken); }

void SelectionModel::setQuantity(HeatmapQuantity quantity)
{
    if (m_quantity == quantity)
        return;
    m_quantity = quantity;
    Q_EMIT changed(Field::Quantity);
}

} // namespace lorsa
