#include "app/explorer/worker_thread.h"

namespace lorsa {

WorkerThread::WorkerThread(QObject* parent)
    : QObject(parent)
    , m_worker(new AnalysisWorker)
{
    m_thread.setObjectName(QStringLiteral("lorsa-worker"));
    m_worker->moveToThread(&m_thread);
    // The session (and any CUDA state) is destroyed on the thread that created it.
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

WorkerThread::~WorkerThread()
{
    cancelAll();
    m_thread.quit();
    m_thread.wait();
}

quint64 WorkerThread::open(const EngineOptions& options)
{
    const quint64 generation = m_worker->issue(AnalysisWorker::Channel::Load);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, generation, options] { worker->open(generation, options); }, Qt::QueuedConnection);
    return generation;
}

quint64 WorkerThread::switchLayer(int layer, const QString& variant)
{
    const quint64 generation = m_worker->issue(AnalysisWorker::Channel::Load);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, generation, layer, variant] { worker->switchLayer(generation, layer, variant); },
                              Qt::QueuedConnection);
    return generation;
}

quint64 WorkerThread::explore(const QString& text, bool prependBos, const SelectionIntent& intent)
{
    const quint64 generation = m_worker->issue(AnalysisWorker::Channel::View);
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, generation, text, prependBos, intent] { worker->explore(generation, text, prependBos, intent); },
        Qt::QueuedConnection);
    return generation;
}

quint64 WorkerThread::reselect(const ExplorerResultPtr& current, const Selection& selection)
{
    const quint64 generation = m_worker->issue(AnalysisWorker::Channel::View);
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, generation, current, selection] { worker->reselect(generation, current, selection); },
        Qt::QueuedConnection);
    return generation;
}

quint64 WorkerThread::intervene(quint64 analysisGeneration, const std::map<int32_t, float>& scales, int queryToken)
{
    const quint64 generation = m_worker->issue(AnalysisWorker::Channel::Intervention);
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, generation, analysisGeneration, scales, queryToken] { worker->intervene(generation, analysisGeneration, scales, queryToken); },
        Qt::QueuedConnection);
    return generation;
}

quint64 WorkerThread::contextPattern(const std::vector<int64_t>& tokens, int lorsaHead)
{
    const quint64 generation = m_worker->issue(AnalysisWorker::Channel::Atlas);
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, generation, tokens, lorsaHead] { worker->contextPattern(generation, tokens, lorsaHead); },
        Qt::QueuedConnection);
    return generation;
}

quint64 WorkerThread::buildAtlas(const AtlasBuildRequest& request)
{
    const quint64 generation = m_worker->issue(AnalysisWorker::Channel::Atlas);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, generation, request] { worker->buildAtlas(generation, request); },
                              Qt::QueuedConnection);
    return generation;
}

void WorkerThread::setPrefixReuse(bool reuse)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, reuse] { worker->setPrefixReuse(reuse); }, Qt::QueuedConnection);
}

void WorkerThread::cancelLoad()
{
    m_worker->issue(AnalysisWorker::Channel::Load);
}

void WorkerThread::cancelAtlas()
{
    m_worker->issue(AnalysisWorker::Channel::Atlas);
}

void WorkerThread::cancel(AnalysisWorker::Channel channel)
{
    m_worker->issue(channel);
}

void WorkerThread::cancelAll()
{
    for (auto channel : {AnalysisWorker::Channel::Load, AnalysisWorker::Channel::View, AnalysisWorker::Channel::Intervention,
                         AnalysisWorker::Channel::Atlas})
        m_worker->issue(channel);
}

bool WorkerThread::isCurrent(AnalysisWorker::Channel channel, quint64 generation) const
{
    return m_worker->isCurrent(channel, generation);
}

} // namespace lorsa
