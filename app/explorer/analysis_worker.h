#pragma once
// The one object that owns and runs the engine. It lives on its own QThread (WorkerThread moves it
// there); every slot runs there, every signal carries immutable plain data back to the GUI.
//
// Each request carries a generation number. Generations are issued by issue(), which is
// thread-safe and called by the requester *before* it queues the slot: that store is what tells a
// running computation that it has been superseded (its CancelCheck reads the atomic), because a
// queued "cancel" slot would only run after the job it should cancel. A request whose generation
// is no longer the newest of its channel is skipped, or stopped early, and reports nothing.

#include "app/explorer/atlas_build_request.h"
#include "model/atlas/atlas_types.h"
#include "model/engine/analysis.h"
#include "model/engine/explorer_result.h"
#include "model/engine/explorer_session.h"
#include "widgets/results_model.h"  // declares the ExplorerResultPtr metatype

#include <QMetaType>
#include <QObject>
#include <QString>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace lorsa {

class AnalysisWorker : public QObject {
    Q_OBJECT
public:
    /// Independent streams of requests. View: what the views show (an analysis with its
    /// selection's detail, or another selection on the same prompt); each supersedes every
    /// earlier one, so that exactly one of them answers. Atlas: a context's pattern or an atlas
    /// build (a build is stopped by cancelling the channel, or by any later Atlas request).
    enum class Channel { Load, View, Intervention, Atlas, ChannelCount };

    explicit AnalysisWorker(QObject* parent = nullptr);
    ~AnalysisWorker() override;

    /// Thread-safe. A new generation for \p channel; every older request of that channel is
    /// stale from now on (and a running one stops at its next cancellation check).
    quint64 issue(Channel channel);
    /// Thread-safe. True while \p generation is the newest issued on \p channel.
    bool isCurrent(Channel channel, quint64 generation) const;

    /// Registers the metatypes the queued signals carry. Called by the constructor.
    static void registerMetaTypes();

public Q_SLOTS:
    /// Loads the model (and Lorsa, when \p options.lorsaDir is set). The previous session stays
    /// usable when loading fails or is cancelled.
    void open(quint64 generation, const lorsa::EngineOptions& options);
    /// Opens another Lorsa of the loaded set, or without a Lorsa another model layer
    /// (ExplorerSession::switchLayer), on the Load channel; reports loaded() with the new info,
    /// or failed() keeping the current layer.
    void switchLayer(quint64 generation, int layer, const QString& variant);
    /// ExplorerSession::explore: the prompt analysed and \p intent resolved into one result.
    void explore(quint64 generation, const QString& text, bool prependBos, const lorsa::SelectionIntent& intent);
    /// ExplorerSession::reselect: \p current's prompt with \p selection; skipped when \p current
    /// is not about the session's last prompt.
    void reselect(quint64 generation, const lorsa::ExplorerResultPtr& current, const lorsa::Selection& selection);
    /// \p analysisGeneration is the analysis the request refers to; a request about an older
    /// prompt is skipped.
    void intervene(quint64 generation, quint64 analysisGeneration, const std::map<int32_t, float>& scales, int queryToken);
    /// ExplorerSession::setPrefixReuse for this and every later session (on by default).
    void setPrefixReuse(bool reuse);
    /// ExplorerSession::contextPattern on the Atlas channel: \p lorsaHead on an atlas context's
    /// tokens, leaving the last prompt alone. Answers contextPatternReady() or failed().
    void contextPattern(quint64 generation, const std::vector<int64_t>& tokens, int lorsaHead);
    /// Indexes \p request's corpus into an atlas of the loaded Lorsa (indexAtlas) on the Atlas
    /// channel: atlasProgress() while it runs, then atlasBuilt(), atlasCancelled() (the file is
    /// checkpointed: a request with resume continues it) or failed().
    void buildAtlas(quint64 generation, const lorsa::AtlasBuildRequest& request);

Q_SIGNALS:
    /// Throttled: at most every kProgressInterval, plus every change of stage.
    void loadProgress(quint64 generation, double fraction, const QString& stage);
    /// Right before loaded() of a load or Lorsa switch that has a Lorsa (same generation): what
    /// an atlas of this Lorsa records as its identity (AtlasFile::checkBuiltFrom compares it).
    void atlasIdentityKnown(quint64 generation, const lorsa::AtlasIdentity& identity);
    void loaded(quint64 generation, const lorsa::SessionInfo& info);
    /// The answer to explore() or reselect(), when it is still the newest View request.
    void resultReady(const lorsa::ExplorerResultPtr& result);
    void interventionReady(const lorsa::InterventionResultPtr& result);
    /// The answer to contextPattern(), when it is still the newest Atlas request.
    void contextPatternReady(const lorsa::ContextPatternPtr& result);
    /// Throttled like loadProgress: at most every kProgressInterval, plus every change of stage.
    /// \p stage: "reading corpus", "indexing", "top contexts", "done" (IndexProgress).
    void atlasProgress(quint64 generation, const QString& stage, qint64 tokensDone, qint64 tokensTotal, double tokensPerSecond,
                       double etaSeconds);
    /// The atlas \p path is complete.
    void atlasBuilt(quint64 generation, const QString& path);
    /// A build stopped by cancelAtlas() (or a later Atlas request); its file is consistent and
    /// resumable.
    void atlasCancelled(quint64 generation);
    /// A request stopped because it was superseded or cancelled (loads only: the GUI hides its
    /// progress bar; superseded analyses are silent, their successor is on its way).
    void loadCancelled(quint64 generation);
    /// An engine error, one line naming the file and the problem.
    void failed(quint64 generation, const QString& message);

public:
    static constexpr std::chrono::milliseconds kProgressInterval{100};

private:
    /// Emits atlasIdentityKnown() for the session's Lorsa (nothing without one; a failure is
    /// logged and the load goes on).
    void reportAtlasIdentity(quint64 generation);
    /// Runs \p job, turning exceptions into failed()/loadCancelled()/atlasCancelled(); false when it threw.
    template <typename Job>
    bool guarded(Channel channel, quint64 generation, Job&& job);
    CancelCheck cancelCheck(Channel channel, quint64 generation) const;

    std::atomic<quint64> m_counter{0};
    std::array<std::atomic<quint64>, static_cast<size_t>(Channel::ChannelCount)> m_latest{};
    std::unique_ptr<ExplorerSession> m_session;
    quint64 m_promptGeneration = 0;  // the analysis the session's last prompt belongs to
    bool m_prefixReuse = true;
};

} // namespace lorsa

Q_DECLARE_METATYPE(lorsa::EngineOptions)
Q_DECLARE_METATYPE(lorsa::SessionInfo)
Q_DECLARE_METATYPE(lorsa::SelectionIntent)
Q_DECLARE_METATYPE(lorsa::Selection)
Q_DECLARE_METATYPE(lorsa::InterventionResultPtr)
Q_DECLARE_METATYPE(lorsa::ContextPatternPtr)
Q_DECLARE_METATYPE(lorsa::AtlasIdentity)
Q_DECLARE_METATYPE(lorsa::AtlasBuildRequest)
