#include "app/explorer/analysis_worker.h"

#include "model/atlas/atlas_identity.h"
#include "model/atlas/atlas_indexer.h"
#include "model/core/error.h"
#include "model/core/log.h"

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
    qRegisterMetaType<lorsa::EngineOptions>("lorsa::EngineOptions");
    qRegisterMetaType<lorsa::SessionInfo>("lorsa::SessionInfo");
    qRegisterMetaType<lorsa::SelectionIntent>("lorsa::SelectionIntent");
    qRegisterMetaType<lorsa::Selection>("lorsa::Selection");
    qRegisterMetaType<lorsa::ExplorerResultPtr>("lorsa::ExplorerResultPtr");
    qRegisterMetaType<lorsa::InterventionResultPtr>("lorsa::InterventionResultPtr");
    qRegisterMetaType<lorsa::ContextPatternPtr>("lorsa::ContextPatternPtr");
    qRegisterMetaType<lorsa::AtlasIdentity>("lorsa::AtlasIdentity");
    qRegisterMetaType<lorsa::AtlasBuildRequest>("lorsa::AtlasBuildRequest");
    qRegisterMetaType<std::vector<int64_t>>("std::vector<int64_t>");
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
            else if (channel == Channel::Atlas)
                Q_EMIT atlasCancelled(generation);
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

void AnalysisWorker::reportAtlasIdentity(quint64 generation)
{
    if (!m_session || m_session->lorsaDir().empty())
        return;
    try {
        const auto identity = atlasIdentity(m_session->engine(), m_session->modelDir(), m_session->lorsaDir());
        Q_EMIT atlasIdentityKnown(generation, identity);
    } catch (const std::exception& error) {
        // Only atlases need it: the session itself is fine.
        logger("explorer")->warn("the loaded Lorsa's atlas identity is unknown: {}", error.what());
    }
}

void AnalysisWorker::open(quint64 generation, const EngineOptions& requested)
{
    if (!isCurrent(Channel::Load, generation)) {
        Q_EMIT loadCancelled(generation);
        return;
    }
    guarded(Channel::Load, generation, [&] {
        auto last = std::chrono::steady_clock::now() - kProgressInterval;
        std::string lastStage;
        EngineOptions options = requested;
        options.progress = [&](double fraction, const std::string& stage) {
            const auto now = std::chrono::steady_clock::now();
            if (stage == lastStage && now - last < kProgressInterval && fraction < 1.0)
                return;
            last = now;
            lastStage = stage;
            Q_EMIT loadProgress(generation, fraction, QString::fromStdString(stage));
        };
        auto session = ExplorerSession::open(options, cancelCheck(Channel::Load, generation));
        if (!isCurrent(Channel::Load, generation))
            throw Error(ErrorKind::Cancelled, "loading was cancelled");
        // Replace only now: a failed or cancelled load leaves the previous session working.
        m_session = std::move(session);
        m_session->setPrefixReuse(m_prefixReuse);
        m_promptGeneration = 0;
        Q_EMIT loadProgress(generation, 1.0, QStringLiteral("ready"));
        reportAtlasIdentity(generation);
        Q_EMIT loaded(generation, m_session->info());
    });
}

void AnalysisWorker::switchLayer(quint64 generation, int layer, const QString& variant)
{
    if (!isCurrent(Channel::Load, generation)) {
        Q_EMIT loadCancelled(generation);
        return;
    }
    guarded(Channel::Load, generation, [&] {
        if (!m_session)
            throw Error(ErrorKind::InvalidInput, "no model is loaded: open a model folder first");
        Q_EMIT loadProgress(generation, 0.0, QStringLiteral("Lorsa of layer %1").arg(layer));
        const auto& info = m_session->switchLayer(layer, variant.toStdString(), cancelCheck(Channel::Load, generation));
        // The last prompt's Lorsa results belong to the old layer: head queries wait for a new analysis.
        m_promptGeneration = 0;
        Q_EMIT loadProgress(generation, 1.0, QStringLiteral("ready"));
        reportAtlasIdentity(generation);
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

void AnalysisWorker::contextPattern(quint64 generation, const std::vector<int64_t>& tokens, int lorsaHead)
{
    if (!isCurrent(Channel::Atlas, generation))
        return;
    guarded(Channel::Atlas, generation, [&] {
        if (!m_session)
            throw Error(ErrorKind::InvalidInput, "no model is loaded: open a model folder first");
        auto result = m_session->contextPattern(tokens, lorsaHead, generation, cancelCheck(Channel::Atlas, generation));
        if (isCurrent(Channel::Atlas, generation))
            Q_EMIT contextPatternReady(result);
    });
}

void AnalysisWorker::buildAtlas(quint64 generation, const AtlasBuildRequest& request)
{
    if (!isCurrent(Channel::Atlas, generation)) {
        Q_EMIT atlasCancelled(generation);
        return;
    }
    guarded(Channel::Atlas, generation, [&] {
        if (!m_session)
            throw Error(ErrorKind::InvalidInput, "no model is loaded: open a model folder first");
        if (m_session->lorsaDir().empty())
            throw Error(ErrorKind::InvalidInput, "an atlas needs a Lorsa: open a Lorsa folder first");
        // As `lorsa index` fills them (app/cli/index_command.cpp); indexAtlas validates.
        IndexOptions options;
        options.out = request.out;
        options.modelDir = m_session->modelDir();
        options.lorsaDir = m_session->lorsaDir();
        options.corpus.files = request.corpus;
        options.corpus.context = request.context;
        options.corpus.maxTokens = request.maxTokens;
        options.top = request.top;
        options.batch = request.batch;
        options.resume = request.resume;
        auto last = std::chrono::steady_clock::now() - kProgressInterval;
        std::string lastStage;
        options.progress = [&](const IndexProgress& progress) {
            const auto now = std::chrono::steady_clock::now();
            if (progress.stage == lastStage && now - last < kProgressInterval)
                return;
            last = now;
            lastStage = progress.stage;
            Q_EMIT atlasProgress(generation, QString::fromStdString(progress.stage), progress.tokensDone, progress.tokensTotal,
                                 progress.tokensPerSecond, progress.etaSeconds);
        };
        options.cancelled = cancelCheck(Channel::Atlas, generation);
        indexAtlas(m_session->engine(), options);
        Q_EMIT atlasBuilt(generation, QString::fromStdString(request.out.string()));
    });
}

} // namespace lorsa
