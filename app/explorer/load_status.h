#pragma once
// The status bar's load indicator: stage text, a progress bar and a Cancel button, shown only
// while a model loads.

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace lorsa {

class LoadStatus : public QWidget {
    Q_OBJECT
public:
    explicit LoadStatus(QWidget* parent = nullptr);
    void start(const QString& what);
    void setProgress(double fraction, const QString& stage);
    void finish();

Q_SIGNALS:
    void cancelRequested();

private:
    QLabel* m_stage;
    QProgressBar* m_bar;
    QPushButton* m_cancel;
};

} // namespace lorsa
