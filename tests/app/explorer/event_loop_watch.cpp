#include "tests/app/explorer/event_loop_watch.h"

#include <algorithm>

namespace lorsa::test {

EventLoopWatch::EventLoopWatch()
{
    m_timer.setInterval(10);
    QObject::connect(&m_timer, &QTimer::timeout, [this] {
        const qint64 now = m_clock.elapsed();
        m_maxGap = std::max(m_maxGap, now - m_lastTick);
        m_lastTick = now;
    });
}

void EventLoopWatch::start()
{
    m_lastTick = 0;
    m_maxGap = 0;
    m_clock.start();
    m_timer.start();
}

qint64 EventLoopWatch::stop()
{
    m_timer.stop();
    return m_maxGap;
}

} // namespace lorsa::test
