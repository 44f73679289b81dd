#pragma once
// `lorsa-explorer --bench-typing N`: the time from a keystroke to updated views, as the user sees
// it. Removes the prompt's last N words, then types them back one per keystroke; for each, the
// time from the analysis request (debounce excluded) through the worker's analysis and head
// detail, their transfer to the GUI thread and every view's update, to a synchronous repaint of
// the whole window. Does it twice, reusing each prompt's prefix (as the explorer runs) and then,
// as the baseline, recomputing every prompt whole; prints both and their ratio, and quits.

#include <QObject>
#include <QString>
#include <QStringList>

#include <vector>

class QPlainTextEdit;

namespace lorsa {

class MainWindow;

class TypingBenchmark : public QObject {
    Q_OBJECT
public:
    TypingBenchmark(MainWindow& window, int keystrokes);

    /// Starts once the window shows its first head detail.
    void start();

private:
    void typeNext();
    void measured();
    void finishRound();
    void report() const;

    MainWindow& m_window;
    QPlainTextEdit* m_prompt = nullptr;
    int m_keystrokes = 0;
    QStringList m_pending;            // words still to type, in order
    std::vector<double> m_totalMs;    // request to repainted window
    std::vector<double> m_repaintMs;  // the synchronous repaint alone
    QString m_fullText;               // the prompt as it was before the first round
    struct Round {
        std::vector<double> totalMs;
        std::vector<double> repaintMs;
    };
    std::vector<Round> m_rounds;      // reusing the prefix, then recomputing
    bool m_running = false;
    bool m_analysisShown = false;
};

} // namespace lorsa
