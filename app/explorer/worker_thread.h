#pragma once
// The GUI's handle on the AnalysisWorker: starts its thread, issues generations and queues
// requests, and tells which results are still current. Destroying it cancels whatever runs and
// joins the thread (the worker, and with it the model, is deleted on its own thread).

#include "app/explorer/analysis_worker.h"

#include <QObject>
#include <QThread>

namespace lorsa {

class WorkerThread : public QObject {
    Q_OBJECT
public:
    explicit WorkerThread(QObject* parent = nullptr);
    ~WorkerThread() override;

    /// The worker, for connecting to its signals (never call its slots directly).
    AnalysisWorker* worker() const { return m_worker; }

    /// Each returns the request's generation.
    quint64 open(const EngineOptions& options);
    quint64 switchLayer(int layer, const QString& variant);
    quint64 explore(const QString& text, bool prependBos, const SelectionIntent& intent);
    quint64 reselect(const ExplorerResultPtr& current, const Selection& selection);
    quint64 intervene(quint64 analysisGeneration, const std::map<int32_t, float>& scales, int queryToken);
    quint64 contextPattern(const std::vector<int64_t>& tokens, int lorsaHead);
    quint64 buildAtlas(const AtlasBuildRequest& request);
    /// Queued after the requests before it: AnalysisWorker::setPrefixReuse.
    void setPrefixReuse(bool reuse);
    /// Stops a running or queued load; it reports loadCancelled().
    void cancelLoad();
    /// Stops a running or queued atlas build (it reports atlasCancelled()) and makes a pending
    /// context pattern stale.
    void cancelAtlas();
    /// Makes every queued or running request of \p channel stale.
    void cancel(AnalysisWorker::Channel channel);
    /// Makes every queued or running request stale.
    void cancelAll();

    bool isCurrent(AnalysisWorker::Channel channel, quint64 generation) const;

private:
    QThread m_thread;
    AnalysisWorker* m_worker;  // owned by m_thread's lifetime: deleted there when it finishes
};

} // namespace lorsa
