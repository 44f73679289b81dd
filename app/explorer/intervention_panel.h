#pragma once
// Next-token probabilities at the selected token with the Lorsa spliced in, before and after the
// head intervention chosen in the head list (the head list itself only collects the scales).

#include "model/engine/explorer_session.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace lorsa {

class InterventionPanel : public QWidget {
    Q_OBJECT
public:
    explicit InterventionPanel(QWidget* parent = nullptr);
    void setResult(InterventionResultPtr result);
    /// No intervention chosen (or no prompt): explains how to make one.
    void clear(const QString& hint);
    QTableWidget* table() const { return m_table; }

private:
    QLabel* m_caption;
    QTableWidget* m_table;
};

} // namespace lorsa
