#pragma once
// How long the GUI event loop was blocked: a 10 ms timer on the calling thread, and the largest
// gap between its ticks while watching.

#include <QElapsedTimer>
#include <QTimer>

namespace lorsa::test {

class EventLoopWatch {
public:
    EventLoopWatch();
    void start();
    /// Stops watching; returns the longest gap between ticks in milliseconds.
    qint64 stop();

private:
    QElapsedTimer m_clock;
    QTimer m_timer;
    qint64 m_lastTick = 0;
    qint64 m_maxGap = 0;
};

} // namespace lorsa::test
