#include "app/explorer/analysis_worker.h"

#include "model/core/error.h"

#include <new>

namespace lorsa {
namespace {

QString firstLine(const char* message)
{
    QString line = QString::fromUtf8(message);
    if (const auto newline = line.indexOf(QLatin1Char('\n')); newline >= 0)
        line.truncate(newline);
    return line.isEmpty() ? QStringLiteral("unknown error") : line;
}

} // namespace

AnalysisWorker::AnalysisWorker(QObject* parent)
    : QObject(parent)
{
    registerMetaTypes();
}

AnalysisWorker::~AnalysisWorker() = default;

void AnalysisWorker::registerMetaTypes()
{
    qRegisterMetaType<lorsa::SessionOptions>("lorsa::SessionOptions");
    qRegisterMetaType<lorsa::SessionInfo>("lorsa::SessionInfo");
    qRegisterMetaType<lorsa::SelectionIntent>("lorsa::SelectionIntent");
    qRegisterMetaType<lorsa::Selection>("lorsa::Selection");
    qRegisterMetaType<lorsa::ExplorerResultPtr>("lorsa::ExplorerResultPtr");
    qRegisterMetaType<lorsa::InterventionResultPtr>("lorsa::InterventionResultPtr");
}

quint64 AnalysisWorker::issue(Channel channel)
{
    const quint64 generation = ++m_counter;
    m_latest[static_cast<size_t>(channel)].store(generation);
    return generation;
}

bool AnalysisWorker::isCurrent(Channel channel, quint64 generation) const
{
    return m_latest[static_cast<size_t>(channel)].load() == generation;
}

CancelCheck AnalysisWorker::cancelCheck(Channel channel, quint64 generation) const
{
    return [this, channel, generation] { return !isCurrent(channel, generation); };
}

template <typename Job>
bool AnalysisWorker::guarded(Channel channel, quint64 generation, Job&& job)
{
    // Exceptions stop here: nothing may unwind into Qt's event loop.
    try {
        job();
        return true;
    } catch (const Error& error) {
        if (error.kind() == ErrorKind::Cancelled) {
            if (channel == Channel::Load)
                Q_EMIT loadCancelled(generation);
        } else if (isCurrent(channel, generation)) {
            Q_EMIT failed(generation, firstLine(error.what()));
        }
    } catch (const std::bad_alloc&) {
        Q_EMIT failed(generation, QStringLiteral("out of memory"));
    } catch (const std::exception& error) {
        Q_EMIT failed(generation, firstLine(error.what()));
    }
    return false;
}

void AnalysisWorker::open(quint64 generation, const SessionOptions& options)
{
    if (!isCurrent(Channel::Load, generation)) {
        Q_EMIT loadCancelled(generation);
        return;
    }
    guarded(Channel::Load, generation, [&] {
        auto last = std::chrono::steady_clock::now() - kProgressInterval;
        std::string lastStage;
        auto progress = [&](double fraction, const std::string& stage) {
            const auto now = std::chrono::steady_clock::now();
            if (stage == lastStage && now - last < kProgressInterval && fraction < 1.0)
                return;
            last = now;
            lastStage = stage;
            Q_EMIT loadProgress(generation, fraction, QString::fromStdString(stage));
        };
        auto session = ExplorerSession::open(options, progress, cancelCheck(Channel::Load, generation));
        if (!isCurrent(Channel::Load, generation))
            throw Error(ErrorKind::Cancelled, "loading was cancelled");
        // Replace only now: a failed or cancelled load leaves the previous session working.
        m_session = std::move(session);
        m_session->setPrefixReuse(m_prefixReuse);
        m_promptGeneration = 0;
        Q_EMIT loadProgress(generation, 1.0, QStringLiteral("ready"));
        Q_EMIT loaded(generation, m_session->info());
    });
}

void AnalysisWorker::switchLorsa(quint64 generation, int layer, const QString& variant)
{
    if (!isCurrent(Channel::Load, generation)) {
        Q_EMIT loadCancelled(generation);
        return;
    }
    guarded(Channel::Load, generation, [&] {
        if (!m_session)
            throw Error(ErrorKind::InvalidInput, "no model is loaded: open a model folder first");
        Q_EMIT loadProgress(generation, 0.0, QStringLiteral("Lorsa of layer %1").arg(layer));
        const auto& info = m_session->switchLorsa(layer, variant.toStdString(), cancelCheck(Channel::Load, generation));
        // The last prompt's Lorsa results belong to the old layer: head queries wait for a new analysis.
        m_promptGeneration = 0;
        Q_EMIT loadProgress(generation, 1.0, QStringLiteral("ready"));
        Q_EMIT loaded(generation, info);
    });
}

void AnalysisWorker::explore(quint64 generation, const QString& text, bool prependBos, const SelectionIntent& intent)
{
    if (!isCurrent(Channel::View, generation))
        return;
    guarded(Channel::View, generation, [&] {
        if (!m_session)
            throw Error(ErrorKind::InvalidInput, "no model is loaded: open a model folder first");
        m_promptGeneration = 0;  // the session's prompt changes now, whatever happens next
        auto result = m_session->explore(text.toStdString(), prependBos, intent, generation, cancelCheck(Channel::View, generation));
        m_promptGeneration = generation;
        if (isCurrent(Channel::View, generation))
            Q_EMIT resultReady(result);
    });
}

void AnalysisWorker::setPrefixReuse(bool reuse)
{
    m_prefixReuse = reuse;
    if (m_session)
        m_session->setPrefixReuse(reuse);
}

void AnalysisWorker::reselect(quint64 generation, const ExplorerResultPtr& current, const Selection& selection)
{
    // A request about a prompt the session no longer holds would answer for the wrong tokens.
    if (!isCurrent(Channel::View, generation) || !m_session || !current || current->analysis->generation != m_promptGeneration)
        return;
    guarded(Channel::View, generation, [&] {
        auto result = m_session->reselect(current, selection, generation, cancelCheck(Channel::View, generation));
        if (isCurrent(Channel::View, generation))
            Q_EMIT resultReady(result);
    });
}

void AnalysisWorker::intervene(quint64 generation, quint64 analysisGeneration, const std::map<int32_t, float>& scales, int queryToken)
{
    if (!isCurrent(Channel::Intervention, generation) || !m_session || analysisGeneration != m_promptGeneration)
        return;
    guarded(Channel::Intervention, generation, [&] {
        auto result = m_session->intervene(scales, queryToken, generation, 10, cancelCheck(Channel::Intervention, generation));
        if (isCurrent(Channel::Intervention, generation))
            Q_EMIT interventionReady(result);
    });
}

} // namespace lorsa
