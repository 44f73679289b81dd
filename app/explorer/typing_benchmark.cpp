#include "app/explorer/typing_benchmark.h"

#include "app/explorer/main_window.h"
#include "model/tools/timing_stats.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTimer>

#include <cstdio>

namespace lorsa {

TypingBenchmark::TypingBenchmark(MainWindow& window, int keystrokes)
    : QObject(&window), m_window(window), m_prompt(window.findChild<QPlainTextEdit*>(QStringLiteral("prompt"))), m_keystrokes(keystrokes)
{
    // One measurement per analysis: its first head detail (a later one is a selection change).
    connect(&m_window, &MainWindow::analysisShown, this, [this] { m_analysisShown = true; });
    connect(&m_window, &MainWindow::headDetailShown, this, [this] {
        if (m_running && m_analysisShown) {
            m_analysisShown = false;
            measured();
        }
    });
}

void TypingBenchmark::start()
{
    // Split into words that keep their leading whitespace, so typing them back restores the text.
    static const QRegularExpression word(QStringLiteral("\\s*\\S+"));
    if (m_rounds.empty())
        m_fullText = m_prompt->toPlainText();
    const QString text = m_fullText;
    QStringList words;
    for (auto it = word.globalMatch(text); it.hasNext();)
        words << it.next().captured();
    if (m_keystrokes < 1 || words.size() <= m_keystrokes) {
        std::fprintf(stderr, "--bench-typing %d: the prompt has only %lld words\n", m_keystrokes, static_cast<long long>(words.size()));
        QApplication::exit(2);
        return;
    }
    m_pending = words.mid(words.size() - m_keystrokes);
    m_prompt->setPlainText(words.mid(0, words.size() - m_keystrokes).join(QString()));
    m_running = true;
    m_analysisShown = false;
    // That shortened prompt is analysed first (not timed); its detail triggers the first keystroke.
}

void TypingBenchmark::typeNext()
{
    QTextCursor cursor = m_prompt->textCursor();
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(m_pending.takeFirst());
}

void TypingBenchmark::measured()
{
    const bool timed = static_cast<int>(m_totalMs.size()) < m_keystrokes - static_cast<int>(m_pending.size());
    if (timed) {
        QElapsedTimer repaint;
        repaint.start();
        m_window.repaint();
        m_repaintMs.push_back(repaint.nsecsElapsed() / 1e6);
        m_totalMs.push_back(m_window.msSinceRequest());
    }
    if (m_pending.isEmpty()) {
        finishRound();
        return;
    }
    QTimer::singleShot(0, this, &TypingBenchmark::typeNext);
}

void TypingBenchmark::finishRound()
{
    m_running = false;
    m_rounds.push_back({std::move(m_totalMs), std::move(m_repaintMs)});
    m_totalMs.clear();
    m_repaintMs.clear();
    if (m_rounds.size() == 2) {
        report();
        QApplication::exit(0);
        return;
    }
    // The baseline round: the same keystrokes, every prompt computed whole. The reuse switch is
    // queued on the worker before the next analysis request.
    m_window.setPrefixReuse(false);
    start();
}

void TypingBenchmark::report() const
{
    const char* titles[] = {"reusing the prefix", "recomputing every prompt (baseline)"};
    double medians[2] = {0, 0};
    for (size_t i = 0; i < m_rounds.size(); ++i) {
        const TimingStats total = timingStatsOf(m_rounds[i].totalMs);
        medians[i] = total.median;
        std::printf("keystroke to repainted views (debounce excluded), %s, %zu keystrokes: median %.1f ms, 90th percentile %.1f ms, "
                    "max %.1f ms; of which the repaint: median %.1f ms\n",
                    titles[i], m_rounds[i].totalMs.size(), total.median, percentileOf(m_rounds[i].totalMs, 0.9), total.max,
                    timingStatsOf(m_rounds[i].repaintMs).median);
    }
    std::printf("speed-up per keystroke (median): %.2fx\n", medians[0] > 0 ? medians[1] / medians[0] : 0.0);
}

} // namespace lorsa
