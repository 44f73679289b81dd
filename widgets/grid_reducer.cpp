#include "widgets/grid_reducer.h"

#include "model/core/error.h"

#include <QtConcurrent/QtConcurrentRun>

namespace lorsa {

GridReducer::GridReducer(QObject* parent) : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &GridReducer::deliver);
}

GridReducer::Result GridReducer::run(const Job& job)
{
    Result result;
    try {
        result.grids = job();
    } catch (const Error& error) {
        result.error = QString::fromStdString(error.what());
    }
    return result;
}

void GridReducer::request(int64_t tokens, Job job, Done done)
{
    if (tokens <= kMaxCellsPerAxis) {
        m_pending = {};  // an older, longer request's grids would be stale
        const Result result = run(job);
        done(result.grids, result.error);
        return;
    }
    m_pending = std::move(done);
    m_watcher.setFuture(QtConcurrent::run([job = std::move(job)] { return run(job); }));
}

void GridReducer::finish()
{
    if (!m_pending)
        return;
    m_watcher.waitForFinished();
    deliver();
}

void GridReducer::deliver()
{
    if (!m_pending || !m_watcher.isFinished())
        return;
    const Done done = std::move(m_pending);
    m_pending = {};
    const Result result = m_watcher.result();
    done(result.grids, result.error);
}

} // namespace lorsa
