#pragma once
// A non-modal banner at the top of the window for engine errors: the message names the file and
// the problem, stays until dismissed or replaced, and never takes the focus from the prompt.

#include <QFrame>

class QLabel;

namespace lorsa {

class MessageBanner : public QFrame {
    Q_OBJECT
public:
    explicit MessageBanner(QWidget* parent = nullptr);
    void showMessage(const QString& message);
    QString message() const;

private:
    QLabel* m_label;
};

} // namespace lorsa
