#pragma once
// The one selection shared by every view: which layer, Lorsa head, MHSA head and query token is
// looked at, and which quantity colours the token heatmap. Views read it and write it; all of them
// follow its `changed` signal, so linking views needs nothing else.

#include <QObject>

namespace lorsa {

/// What colours the tokens of the prompt.
enum class HeatmapQuantity {
    HeadActivation,   ///< activation of the selected Lorsa head at every token
    ActiveHeadCount,  ///< number of active Lorsa heads at every token (L0)
    LorsaAttention,   ///< Lorsa QK pattern row of the selected query token
    MhsaAttention,    ///< MHSA pattern row of the selected query token
};

class SelectionModel : public QObject {
    Q_OBJECT
public:
    /// Which part of the selection a `changed` signal is about.
    enum class Field { Layer, LorsaHead, MhsaHead, QueryToken, Quantity };
    Q_ENUM(Field)

    explicit SelectionModel(QObject* parent = nullptr);

    int layer() const { return m_layer; }
    int lorsaHead() const { return m_lorsaHead; }
    int mhsaHead() const { return m_mhsaHead; }
    int queryToken() const { return m_queryToken; }
    HeatmapQuantity quantity() const { return m_quantity; }

    void setLayer(int layer);
    void setLorsaHead(int head);
    void setMhsaHead(int head);
    void setQueryToken(int token);
    void setQuantity(HeatmapQuantity quantity);

Q_SIGNALS:
    /// Emitted once per real change (setting the current value again emits nothing).
    void changed(lorsa::SelectionModel::Field field);

private:
    void update(int& member, int value, Field field);

    int m_layer = 0;
    int m_lorsaHead = 0;
    int m_mhsaHead = 0;
    int m_queryToken = 0;
    HeatmapQuantity m_quantity = HeatmapQuantity::HeadActivation;
};

} // namespace lorsa
