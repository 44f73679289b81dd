// The worker on its own thread, driven as the window drives it: staleness, cancellation, errors
// and the responsiveness of the GUI thread while it works.

#include "app/explorer/worker_thread.h"
#include "model/atlas/atlas_file.h"
#include "model/atlas/atlas_reader.h"
#include "tests/app/explorer/event_loop_watch.h"
#include "tests/app/explorer/explorer_fixture.h"
#include "tests/model/atlas/fixture_corpus.h"
#include "tests/support/cpu_engine_options.h"
#include "tests/support/temp_dir.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTimer>
#include <QtTest>

#include <fstream>

using namespace lorsa;
using Channel = AnalysisWorker::Channel;

namespace {

// The worker may answer before QSignalSpy::wait() starts listening: count what already came.
bool arrived(QSignalSpy& spy, int timeoutMs)
{
    return !spy.isEmpty() || spy.wait(timeoutMs);
}

// Opens a session on \p worker and waits for it.
bool load(WorkerThread& worker, const EngineOptions& options)
{
    QSignalSpy loaded(worker.worker(), &AnalysisWorker::loaded);
    QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
    worker.open(options);
    if (!arrived(loaded, 60000))
        qWarning() << "load failed:" << (failed.isEmpty() ? QString() : failed.first().at(1).toString());
    return loaded.count() == 1;
}

// An analysis request as the window makes it while typing at the end of the prompt.
quint64 explore(WorkerThread& worker, const QString& text, bool prependBos = true)
{
    return worker.explore(text, prependBos, SelectionIntent{});
}

ExplorerResultPtr resultOf(const QList<QVariant>& signal)
{
    return signal.at(0).value<ExplorerResultPtr>();
}

QString prompt(int characters)
{
    static const QString kText = QStringLiteral("The quick brown fox jumps over the lazy dog; the dog sleeps. ");
    QString text;
    while (text.size() < characters)
        text += kText;
    text.truncate(characters);
    return text;
}

// A build of the fixture's Lorsa on \p corpus into \p out: context 16, top 5, batch 4.
AtlasBuildRequest atlasRequest(const std::filesystem::path& out, const std::filesystem::path& corpus)
{
    AtlasBuildRequest request;
    request.out = out;
    request.corpus = {corpus};
    request.context = 16;
    request.top = 5;
    request.batch = 4;
    return request;
}

std::filesystem::path writeCorpus(const std::filesystem::path& path, int documents)
{
    std::ofstream(path, std::ios::binary) << test::fixtureCorpusText(documents, 5);
    return path;
}

AtlasSummary summaryOf(const std::filesystem::path& atlas)
{
    AtlasFile file(atlas, AtlasFile::Access::ReadOnly);
    return readAtlasSummary(file);
}

QString failure(const QSignalSpy& failed)
{
    return failed.isEmpty() ? QString() : failed.first().at(1).toString();
}

} // namespace

class TestAnalysisWorker : public QObject {
    Q_OBJECT

    std::unique_ptr<test::ExplorerFixture> m_fixture;

private Q_SLOTS:
    void initTestCase() { m_fixture = std::make_unique<test::ExplorerFixture>(); }

    void loadsAndReportsInfo()
    {
        WorkerThread worker;
        QSignalSpy progress(worker.worker(), &AnalysisWorker::loadProgress);
        QSignalSpy loaded(worker.worker(), &AnalysisWorker::loaded);
        const quint64 generation = worker.open(test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa));
        QVERIFY(arrived(loaded, 60000));
        QCOMPARE(loaded.first().at(0).value<quint64>(), generation);
        const auto info = loaded.first().at(1).value<SessionInfo>();
        QCOMPARE(info.layer, 1);
        QCOMPARE(info.nOvHeads, m_fixture->nOvHeads);
        QCOMPARE(info.device, std::string("cpu"));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(1).toDouble(), 1.0);
        for (const auto& signal : progress)
            QCOMPARE(signal.at(0).value<quint64>(), generation);
    }

    void atlasIdentityArrivesBeforeLoaded()
    {
        WorkerThread worker;
        QStringList order;
        AtlasIdentity identity;
        quint64 identityGeneration = 0;
        // Queued to this thread, in the order the worker emitted them.
        connect(worker.worker(), &AnalysisWorker::atlasIdentityKnown, this, [&](quint64 generation, const AtlasIdentity& known) {
            order << QStringLiteral("identity");
            identity = known;
            identityGeneration = generation;
        });
        connect(worker.worker(), &AnalysisWorker::loaded, this, [&] { order << QStringLiteral("loaded"); });
        const quint64 generation = worker.open(test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa));
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 2, 60000);
        QCOMPARE(order, QStringList({QStringLiteral("identity"), QStringLiteral("loaded")}));
        QCOMPARE(identityGeneration, generation);
        QCOMPARE(identity.layer, int64_t(1));
        QCOMPARE(identity.nOvHeads, int64_t(m_fixture->nOvHeads));
        QCOMPARE(identity.lorsaFolder, std::string("lorsa"));
        QCOMPARE(identity.modelFolder, std::string("gpt2"));
        QVERIFY(!identity.lorsaConfigHash.empty());

        // A model without a Lorsa has no atlas identity.
        order.clear();
        worker.open(test::cpuEngineOptions(m_fixture->model, {}));
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 1, 60000);
        QTest::qWait(100);
        QCOMPARE(order, QStringList({QStringLiteral("loaded")}));
    }

    void contextPatternRoundTrip()
    {
        WorkerThread worker;
        QVERIFY(load(worker, test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa)));
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::resultReady);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        explore(worker, QStringLiteral("the cat sat on the mat and the cat"));
        QVERIFY2(arrived(analysed, 30000), qPrintable(failure(failed)));
        const auto explored = resultOf(analysed.first());
        std::vector<int64_t> ids;
        for (const auto& token : explored->analysis->tokens)
            ids.push_back(token.id);
        const int head = explored->selection.lorsaHead;

        QSignalSpy patterns(worker.worker(), &AnalysisWorker::contextPatternReady);
        worker.contextPattern(ids, (head + 1) % m_fixture->nOvHeads);  // superseded at once
        const quint64 generation = worker.contextPattern(ids, head);
        QTRY_VERIFY_WITH_TIMEOUT(!patterns.isEmpty() && patterns.last().at(0).value<ContextPatternPtr>()->generation == generation, 30000);
        QVERIFY(failed.isEmpty());
        const auto pattern = patterns.last().at(0).value<ContextPatternPtr>();
        QCOMPARE(pattern->lorsaHead, head);
        QCOMPARE(pattern->tokens, ids);
        QCOMPARE(pattern->qkHead, explored->detail->qkHead);
        QCOMPARE(pattern->pattern.rows, static_cast<int64_t>(ids.size()));
        QCOMPARE(pattern->pattern.values.size(), explored->detail->lorsaPattern.values.size());
        for (size_t i = 0; i < pattern->pattern.values.size(); ++i) {
            QVERIFY(std::abs(pattern->pattern.values[i] - explored->detail->lorsaPattern.values[i]) <= 1e-5f);
            QVERIFY(std::abs(pattern->zPattern.values[i] - explored->detail->zPattern.values[i]) <= 1e-5f);
        }

        // The last prompt is still the session's: a reselection on it answers.
        QSignalSpy reselected(worker.worker(), &AnalysisWorker::resultReady);
        worker.reselect(explored, explored->selection);
        QVERIFY2(arrived(reselected, 30000), qPrintable(failure(failed)));
        QCOMPARE(resultOf(reselected.first())->detail->lorsaPattern.values, explored->detail->lorsaPattern.values);

        // Errors come back through failed().
        const quint64 bad = worker.contextPattern(ids, 999);
        QVERIFY(arrived(failed, 30000));
        QCOMPARE(failed.first().at(0).value<quint64>(), bad);
        QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("999")), qPrintable(failure(failed)));
    }

    void buildsAnAtlas()
    {
        WorkerThread worker;
        QVERIFY(load(worker, test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa)));
        test::TempDir dir;
        const auto request = atlasRequest(dir / "heads.sqlite", writeCorpus(dir / "corpus.txt", 24));
        QSignalSpy progress(worker.worker(), &AnalysisWorker::atlasProgress);
        QSignalSpy built(worker.worker(), &AnalysisWorker::atlasBuilt);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        QSignalSpy cancelled(worker.worker(), &AnalysisWorker::atlasCancelled);
        const quint64 generation = worker.buildAtlas(request);
        QVERIFY2(arrived(built, 120000), qPrintable(failure(failed)));
        QCOMPARE(built.first().at(0).value<quint64>(), generation);
        QCOMPARE(built.first().at(1).toString(), QString::fromStdString(request.out.string()));
        QVERIFY(cancelled.isEmpty());
        // Every stage reported, in order, all of this build; the last one says everything was indexed.
        QStringList stages;
        for (const auto& signal : progress) {
            QCOMPARE(signal.at(0).value<quint64>(), generation);
            const auto stage = signal.at(1).toString();
            if (stages.isEmpty() || stages.last() != stage)
                stages << stage;
        }
        QCOMPARE(stages, QStringList({QStringLiteral("reading corpus"), QStringLiteral("indexing"), QStringLiteral("top contexts"),
                                      QStringLiteral("done")}));
        const auto summary = summaryOf(request.out);
        QCOMPARE(summary.status, std::string("complete"));
        QCOMPARE(progress.last().at(2).value<qint64>(), summary.tokensIndexed);
        QCOMPARE(progress.last().at(3).value<qint64>(), summary.tokensIndexed);
        QVERIFY(summary.tokensIndexed > 0);
        QCOMPARE(summary.identity.nOvHeads, int64_t(m_fixture->nOvHeads));
        QCOMPARE(summary.context, int64_t(16));
        QCOMPARE(summary.top, int64_t(5));
    }

    void cancelledAtlasBuildResumes()
    {
        WorkerThread worker;
        QVERIFY(load(worker, test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa)));
        test::TempDir dir;
        auto request = atlasRequest(dir / "heads.sqlite", writeCorpus(dir / "corpus.txt", 60));
        QSignalSpy built(worker.worker(), &AnalysisWorker::atlasBuilt);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        QSignalSpy cancelled(worker.worker(), &AnalysisWorker::atlasCancelled);
        // Cancel from inside the first progress report, while the build certainly runs (before
        // its first batch): it stops at its next check, after one batch, and checkpoints.
        bool once = false;
        const auto connection = connect(
            worker.worker(), &AnalysisWorker::atlasProgress, worker.worker(),
            [&] {
                if (!std::exchange(once, true))
                    worker.cancelAtlas();
            },
            Qt::DirectConnection);
        const quint64 generation = worker.buildAtlas(request);
        QVERIFY2(arrived(cancelled, 120000), qPrintable(failure(failed)));
        QCOMPARE(cancelled.first().at(0).value<quint64>(), generation);
        QTest::qWait(100);
        QCOMPARE(built.count(), 0);
        QCOMPARE(failed.count(), 0);
        disconnect(connection);
        const auto interrupted = summaryOf(request.out);
        QCOMPARE(interrupted.status, std::string("indexing"));

        request.resume = true;
        const quint64 resumed = worker.buildAtlas(request);
        QVERIFY2(arrived(built, 120000), qPrintable(failure(failed)));
        QCOMPARE(built.first().at(0).value<quint64>(), resumed);
        QCOMPARE(cancelled.count(), 1);
        const auto summary = summaryOf(request.out);
        QCOMPARE(summary.status, std::string("complete"));
        QVERIFY(summary.contexts > request.batch);  // the first run cannot have done it all
    }

    void atlasBuildNeedsALorsa()
    {
        WorkerThread worker;
        QVERIFY(load(worker, test::cpuEngineOptions(m_fixture->model, {})));
        test::TempDir dir;
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        const quint64 generation = worker.buildAtlas(atlasRequest(dir / "heads.sqlite", writeCorpus(dir / "corpus.txt", 3)));
        QVERIFY(arrived(failed, 30000));
        QCOMPARE(failed.first().at(0).value<quint64>(), generation);
        QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("Lorsa")), qPrintable(failure(failed)));
        QVERIFY(!std::filesystem::exists(dir / "heads.sqlite"));
    }

    void onlyTheLastOfQuickRequestsArrives()
    {
        WorkerThread worker;
        QVERIFY(load(worker, test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa)));
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::resultReady);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        const quint64 first = explore(worker, QStringLiteral("a"));
        const quint64 second = explore(worker, QStringLiteral("a b"));
        const quint64 third = explore(worker, QStringLiteral("a b c"));
        QVERIFY(first < second && second < third);
        QVERIFY(!worker.isCurrent(Channel::View, first));
        QTRY_VERIFY_WITH_TIMEOUT(!analysed.isEmpty() && resultOf(analysed.last())->generation == third, 30000);
        // Anything still in flight would arrive within this wait.
        QTest::qWait(200);
        QVERIFY(failed.isEmpty());
        // The worker skips requests that are stale when it reaches them; one it had already
        // started may still finish first, but its generation is stale and the GUI drops it.
        int current = 0;
        for (const auto& signal : analysed) {
            const auto result = resultOf(signal);
            QVERIFY(result->generation == third || !worker.isCurrent(Channel::View, result->generation));
            current += result->generation == third;
        }
        QCOMPARE(current, 1);
        // One request, one result: the analysis and the detail of the selection it resolved.
        const auto last = resultOf(analysed.last());
        const auto& analysis = last->analysis;
        QCOMPARE(analysis->generation, third);
        QVERIFY(last->detail);
        QCOMPARE(last->selection.queryToken, static_cast<int32_t>(analysis->tokens.size()) - 1);
        QCOMPARE(last->detail->queryToken, last->selection.queryToken);
        QCOMPARE(last->detail->lorsaHead, last->selection.lorsaHead);
        std::string text;
        for (const auto& token : analysis->tokens)
            text += token.text;
        QVERIFY2(text.find("a b c") != std::string::npos, text.c_str());
    }

    void supersededAnalysisStopsEarly()
    {
        test::ExplorerFixture large(true);
        WorkerThread worker;
        QVERIFY(load(worker, test::cpuEngineOptions(large.model, large.lorsa)));
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::resultReady);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        // Time one long analysis alone, then supersede one that long while it runs.
        QElapsedTimer clock;
        clock.start();
        explore(worker, prompt(1000));
        QVERIFY(arrived(analysed, 120000));
        const qint64 alone = clock.elapsed();
        analysed.clear();
        clock.restart();
        // A different first word: nothing of the last prompt can be reused.
        explore(worker, QStringLiteral("A") + prompt(1000));
        QTest::qWait(static_cast<int>(std::min<qint64>(alone / 4, 50)));
        const quint64 last = explore(worker, QStringLiteral("short"));
        QVERIFY(arrived(analysed, 120000));
        const qint64 both = clock.elapsed();
        QTest::qWait(100);
        QCOMPARE(analysed.count(), 1);
        QVERIFY(failed.isEmpty());
        QCOMPARE(resultOf(analysed.first())->generation, last);
        qInfo() << "long analysis" << alone << "ms; superseded one plus the short one" << both << "ms";
        QVERIFY2(alone < 100 || both < alone, "the superseded analysis ran to its end");
    }

    void reselectionAndInterventionFollowTheirAnalysis()
    {
        WorkerThread worker;
        QVERIFY(load(worker, test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa)));
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::resultReady);
        QSignalSpy analysisFailed(worker.worker(), &AnalysisWorker::failed);
        explore(worker, QStringLiteral("one two three four"));
        QVERIFY2(arrived(analysed, 30000), analysisFailed.isEmpty() ? "" : qPrintable(analysisFailed.first().at(1).toString()));
        const auto first = resultOf(analysed.first());
        const auto& analysis = first->analysis;
        const int T = static_cast<int>(analysis->tokens.size());
        const auto selection = [](int head, std::optional<int32_t> mhsa, int token) {
            Selection s;
            s.lorsaHead = head;
            s.mhsaHead = mhsa;
            s.queryToken = token;
            return s;
        };

        QSignalSpy details(worker.worker(), &AnalysisWorker::resultReady);
        worker.reselect(first, selection(3, std::nullopt, 1));               // superseded at once
        const quint64 wanted = worker.reselect(first, selection(5, 0, T - 1));
        auto older = std::make_shared<ExplorerResult>(*first);               // about an older prompt: skipped
        auto olderAnalysis = std::make_shared<PromptAnalysis>(*analysis);
        olderAnalysis->generation = analysis->generation - 1;
        older->analysis = olderAnalysis;
        worker.reselect(older, selection(6, std::nullopt, 0));
        QVERIFY(!worker.isCurrent(Channel::View, wanted));
        const quint64 last = worker.reselect(first, selection(7, 1, T - 1));
        QTRY_VERIFY_WITH_TIMEOUT(!details.isEmpty() && resultOf(details.last())->generation == last, 30000);
        QTest::qWait(100);
        // A request the worker had already started when it was superseded may still answer; its
        // generation is stale then (the GUI drops it). The one about the older prompt never runs.
        for (const auto& signal : details) {
            const auto result = resultOf(signal);
            QVERIFY(result->generation == last || !worker.isCurrent(Channel::View, result->generation));
            QVERIFY(result->selection.lorsaHead != 6);
            QVERIFY(result->analysis == analysis);  // the same prompt: the same analysis object
        }
        const auto& detail = resultOf(details.last())->detail;
        QCOMPARE(detail->generation, last);
        QCOMPARE(detail->lorsaHead, 7);
        QCOMPARE(detail->mhsaHead, 1);
        QCOMPARE(detail->lorsaPattern.rows, T);

        QSignalSpy interventions(worker.worker(), &AnalysisWorker::interventionReady);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        const quint64 intervention = worker.intervene(analysis->generation, {{7, 0.0f}}, T - 1);
        QVERIFY2(arrived(interventions, 30000), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        const auto result = interventions.first().at(0).value<InterventionResultPtr>();
        QCOMPARE(result->generation, intervention);
        QCOMPARE(result->headScales.at(7), 0.0f);
        QVERIFY(!result->baseline.empty());
    }

    void failures_data()
    {
        QTest::addColumn<QString>("which");
        QTest::addColumn<QString>("expected");
        QTest::addRow("missing model folder") << QStringLiteral("missing") << QStringLiteral("no-such-model");
        QTest::addRow("Lorsa of another d_model") << QStringLiteral("mismatch") << QStringLiteral("d_model");
        QTest::addRow("analysis before any model") << QStringLiteral("nomodel") << QStringLiteral("no model is loaded");
        QTest::addRow("empty prompt") << QStringLiteral("empty") << QStringLiteral("empty");
        QTest::addRow("head out of range") << QStringLiteral("head") << QStringLiteral("999");
    }

    void failures()
    {
        QFETCH(QString, which);
        QFETCH(QString, expected);
        WorkerThread worker;
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        QSignalSpy loaded(worker.worker(), &AnalysisWorker::loaded);
        quint64 generation = 0;
        if (which == QStringLiteral("missing")) {
            generation = worker.open(test::cpuEngineOptions(m_fixture->dir / "no-such-model", {}));
        } else if (which == QStringLiteral("mismatch")) {
            generation = worker.open(test::cpuEngineOptions(m_fixture->model, m_fixture->wrongLorsa));
        } else if (which == QStringLiteral("nomodel")) {
            generation = explore(worker, QStringLiteral("hello"));
        } else {
            QVERIFY(load(worker, test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa)));
            loaded.clear();
            if (which == QStringLiteral("empty")) {
                generation = explore(worker, QString(), false);
            } else {
                QSignalSpy analysed(worker.worker(), &AnalysisWorker::resultReady);
                explore(worker, QStringLiteral("fine"));
                QVERIFY(arrived(analysed, 30000));
                Selection outOfRange;
                outOfRange.lorsaHead = 999;
                generation = worker.reselect(resultOf(analysed.first()), outOfRange);
            }
        }
        QVERIFY(arrived(failed, 30000));
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.first().at(0).value<quint64>(), generation);
        const QString message = failed.first().at(1).toString();
        QVERIFY2(message.contains(expected, Qt::CaseInsensitive), qPrintable(message));
        QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
        QCOMPARE(loaded.count(), 0);
    }

    void failedLoadKeepsThePreviousSession()
    {
        WorkerThread worker;
        QVERIFY(load(worker, test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa)));
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        worker.open(test::cpuEngineOptions(m_fixture->model, m_fixture->wrongLorsa));
        QVERIFY(arrived(failed, 30000));
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::resultReady);
        explore(worker, QStringLiteral("still here"));
        QVERIFY(arrived(analysed, 30000));
        QCOMPARE(resultOf(analysed.first())->analysis->session->nOvHeads, m_fixture->nOvHeads);
    }

    void cancelStopsARunningLoad()
    {
        WorkerThread worker;
        QSignalSpy cancelled(worker.worker(), &AnalysisWorker::loadCancelled);
        QSignalSpy loaded(worker.worker(), &AnalysisWorker::loaded);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        // Cancel from inside the first progress report, i.e. while the load certainly runs; the
        // worker must notice at its next check without any queued slot running.
        bool once = false;
        connect(
            worker.worker(), &AnalysisWorker::loadProgress, worker.worker(),
            [&] {
                if (!std::exchange(once, true))
                    worker.cancelLoad();
            },
            Qt::DirectConnection);
        const quint64 generation = worker.open(test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa));
        QVERIFY(arrived(cancelled, 30000));
        QCOMPARE(cancelled.first().at(0).value<quint64>(), generation);
        QTest::qWait(100);
        QCOMPARE(loaded.count(), 0);
        QCOMPARE(failed.count(), 0);
    }

    void cancelBeforeTheLoadStarts()
    {
        WorkerThread worker;
        QSignalSpy cancelled(worker.worker(), &AnalysisWorker::loadCancelled);
        QSignalSpy loaded(worker.worker(), &AnalysisWorker::loaded);
        worker.open(test::cpuEngineOptions(m_fixture->model, m_fixture->lorsa));
        worker.cancelLoad();
        QVERIFY(arrived(cancelled, 30000));
        QTest::qWait(100);
        QCOMPARE(loaded.count(), 0);
    }

    void guiThreadStaysResponsive()
    {
        test::ExplorerFixture large(true);
        WorkerThread worker;
        test::EventLoopWatch watch;
        QSignalSpy loaded(worker.worker(), &AnalysisWorker::loaded);
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::resultReady);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        watch.start();
        QElapsedTimer busy;
        busy.start();
        worker.open(test::cpuEngineOptions(large.model, large.lorsa));
        QVERIFY(arrived(loaded, 120000));
        explore(worker, prompt(900));
        QVERIFY2(arrived(analysed, 120000), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        const auto first = resultOf(analysed.first());
        QSignalSpy details(worker.worker(), &AnalysisWorker::resultReady);
        Selection another = first->selection;
        another.lorsaHead = (another.lorsaHead + 1) % m_fixture->nOvHeads;
        worker.reselect(first, another);
        QVERIFY(arrived(details, 120000));
        const qint64 maxGap = watch.stop();
        qInfo() << "worker busy for" << busy.elapsed() << "ms; longest GUI event loop gap" << maxGap << "ms";
        QVERIFY2(busy.elapsed() > 50, "the work was too short to show anything");
        QVERIFY2(maxGap <= 50, qPrintable(QStringLiteral("GUI thread blocked for %1 ms").arg(maxGap)));
    }
};

QTEST_GUILESS_MAIN(TestAnalysisWorker)
#include "test_analysis_worker.moc"
