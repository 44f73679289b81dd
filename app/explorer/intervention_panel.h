#pragma once
// Next-token probabilities at the selected token in the clean model, with the Lorsa spliced in,
// and after the head intervention chosen in the head list (the head list itself only collects the
// scales); "Reset all" asks for every head back at scale 1.

#include "model/engine/explorer_session.h"

#include <QWidget>

class QLabel;
class QPushButton;
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
    QPushButton* resetButton() const { return m_reset; }

    enum Column { TokenColumn, CleanColumn, LorsaColumn, IntervenedColumn, ChangeColumn };

Q_SIGNALS:
    /// "Reset all": every head back at scale 1.
    void resetRequested();

private:
    QLabel* m_caption;
    QPushButton* m_reset;
    QTableWidget* m_table;
};

} // namespace lorsa
