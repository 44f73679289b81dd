// The worker on its own thread, driven as the window drives it: staleness, cancellation, errors
// and the responsiveness of the GUI thread while it works.

#include "app/explorer/worker_thread.h"
#include "tests/app/explorer/event_loop_watch.h"
#include "tests/app/explorer/explorer_fixture.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTimer>
#include <QtTest>

using namespace lorsa;
using Channel = AnalysisWorker::Channel;

namespace {

SessionOptions optionsFor(const std::filesystem::path& model, const std::filesystem::path& lorsa)
{
    SessionOptions options;
    options.modelDir = model;
    options.lorsaDir = lorsa;
    options.device = "cpu";
    options.threads = 1;
    return options;
}

// The worker may answer before QSignalSpy::wait() starts listening: count what already came.
bool arrived(QSignalSpy& spy, int timeoutMs)
{
    return !spy.isEmpty() || spy.wait(timeoutMs);
}

// Opens a session on \p worker and waits for it.
bool load(WorkerThread& worker, const SessionOptions& options)
{
    QSignalSpy loaded(worker.worker(), &AnalysisWorker::loaded);
    QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
    worker.open(options);
    if (!arrived(loaded, 60000))
        qWarning() << "load failed:" << (failed.isEmpty() ? QString() : failed.first().at(1).toString());
    return loaded.count() == 1;
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
        const quint64 generation = worker.open(optionsFor(m_fixture->model, m_fixture->lorsa));
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

    void onlyTheLastOfQuickRequestsArrives()
    {
        WorkerThread worker;
        QVERIFY(load(worker, optionsFor(m_fixture->model, m_fixture->lorsa)));
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::analysed);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        const quint64 first = worker.analyze(QStringLiteral("a"), true);
        const quint64 second = worker.analyze(QStringLiteral("a b"), true);
        const quint64 third = worker.analyze(QStringLiteral("a b c"), true);
        QVERIFY(first < second && second < third);
        QVERIFY(!worker.isCurrent(Channel::Analysis, first));
        QTRY_VERIFY_WITH_TIMEOUT(!analysed.isEmpty() && analysed.last().at(0).value<PromptAnalysisPtr>()->generation == third, 30000);
        // Anything still in flight would arrive within this wait.
        QTest::qWait(200);
        QVERIFY(failed.isEmpty());
        // The worker skips requests that are stale when it reaches them; one it had already
        // started may still finish first, but its generation is stale and the GUI drops it.
        int current = 0;
        for (const auto& signal : analysed) {
            const auto result = signal.at(0).value<PromptAnalysisPtr>();
            QVERIFY(result->generation == third || !worker.isCurrent(Channel::Analysis, result->generation));
            current += result->generation == third;
        }
        QCOMPARE(current, 1);
        const auto analysis = analysed.last().at(0).value<PromptAnalysisPtr>();
        std::string text;
        for (const auto& token : analysis->tokens)
            text += token.text;
        QVERIFY2(text.find("a b c") != std::string::npos, text.c_str());
    }

    void supersededAnalysisStopsEarly()
    {
        test::ExplorerFixture large(true);
        WorkerThread worker;
        QVERIFY(load(worker, optionsFor(large.model, large.lorsa)));
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::analysed);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        // Time one long analysis alone, then supersede one that long while it runs.
        QElapsedTimer clock;
        clock.start();
        worker.analyze(prompt(1000), true);
        QVERIFY(arrived(analysed, 120000));
        const qint64 alone = clock.elapsed();
        analysed.clear();
        clock.restart();
        // A different first word: nothing of the last prompt can be reused.
        worker.analyze(QStringLiteral("A") + prompt(1000), true);
        QTest::qWait(static_cast<int>(std::min<qint64>(alone / 4, 50)));
        const quint64 last = worker.analyze(QStringLiteral("short"), true);
        QVERIFY(arrived(analysed, 120000));
        const qint64 both = clock.elapsed();
        QTest::qWait(100);
        QCOMPARE(analysed.count(), 1);
        QVERIFY(failed.isEmpty());
        QCOMPARE(analysed.first().at(0).value<PromptAnalysisPtr>()->generation, last);
        qInfo() << "long analysis" << alone << "ms; superseded one plus the short one" << both << "ms";
        QVERIFY2(alone < 100 || both < alone, "the superseded analysis ran to its end");
    }

    void headDetailAndInterventionFollowTheirAnalysis()
    {
        WorkerThread worker;
        QVERIFY(load(worker, optionsFor(m_fixture->model, m_fixture->lorsa)));
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::analysed);
        QSignalSpy analysisFailed(worker.worker(), &AnalysisWorker::failed);
        worker.analyze(QStringLiteral("one two three four"), true);
        QVERIFY2(arrived(analysed, 30000), analysisFailed.isEmpty() ? "" : qPrintable(analysisFailed.first().at(1).toString()));
        const auto analysis = analysed.first().at(0).value<PromptAnalysisPtr>();
        const int T = static_cast<int>(analysis->tokens.size());

        QSignalSpy details(worker.worker(), &AnalysisWorker::headDetailReady);
        worker.headDetail(analysis->generation, 3, -1, 1);                 // superseded at once
        const quint64 wanted = worker.headDetail(analysis->generation, 5, 0, T - 1);
        worker.headDetail(analysis->generation - 1, 6, -1, 0);             // about an older prompt: skipped
        QVERIFY(!worker.isCurrent(Channel::HeadDetail, wanted));
        const quint64 last = worker.headDetail(analysis->generation, 7, 1, T - 1);
        QTRY_VERIFY_WITH_TIMEOUT(!details.isEmpty() && details.last().at(0).value<HeadDetailPtr>()->generation == last, 30000);
        QTest::qWait(100);
        // A request the worker had already started when it was superseded may still answer; its
        // generation is stale then (the GUI drops it). The one about the older prompt never runs.
        for (const auto& signal : details) {
            const auto result = signal.at(0).value<HeadDetailPtr>();
            QVERIFY(result->generation == last || !worker.isCurrent(Channel::HeadDetail, result->generation));
            QVERIFY(result->lorsaHead != 6);
        }
        const auto detail = details.last().at(0).value<HeadDetailPtr>();
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
            generation = worker.open(optionsFor(m_fixture->dir / "no-such-model", {}));
        } else if (which == QStringLiteral("mismatch")) {
            generation = worker.open(optionsFor(m_fixture->model, m_fixture->wrongLorsa));
        } else if (which == QStringLiteral("nomodel")) {
            generation = worker.analyze(QStringLiteral("hello"), true);
        } else {
            QVERIFY(load(worker, optionsFor(m_fixture->model, m_fixture->lorsa)));
            loaded.clear();
            if (which == QStringLiteral("empty")) {
                generation = worker.analyze(QString(), false);
            } else {
                QSignalSpy analysed(worker.worker(), &AnalysisWorker::analysed);
                worker.analyze(QStringLiteral("fine"), true);
                QVERIFY(arrived(analysed, 30000));
                generation = worker.headDetail(analysed.first().at(0).value<PromptAnalysisPtr>()->generation, 999, -1, 0);
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
        QVERIFY(load(worker, optionsFor(m_fixture->model, m_fixture->lorsa)));
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        worker.open(optionsFor(m_fixture->model, m_fixture->wrongLorsa));
        QVERIFY(arrived(failed, 30000));
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::analysed);
        worker.analyze(QStringLiteral("still here"), true);
        QVERIFY(arrived(analysed, 30000));
        QCOMPARE(analysed.first().at(0).value<PromptAnalysisPtr>()->nOvHeads, m_fixture->nOvHeads);
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
        const quint64 generation = worker.open(optionsFor(m_fixture->model, m_fixture->lorsa));
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
        worker.open(optionsFor(m_fixture->model, m_fixture->lorsa));
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
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::analysed);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        watch.start();
        QElapsedTimer busy;
        busy.start();
        worker.open(optionsFor(large.model, large.lorsa));
        QVERIFY(arrived(loaded, 120000));
        worker.analyze(prompt(900), true);
        QVERIFY2(arrived(analysed, 120000), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        const auto analysis = analysed.first().at(0).value<PromptAnalysisPtr>();
        QSignalSpy details(worker.worker(), &AnalysisWorker::headDetailReady);
        worker.headDetail(analysis->generation, 0, -1, static_cast<int>(analysis->tokens.size()) - 1);
        QVERIFY(arrived(details, 120000));
        const qint64 maxGap = watch.stop();
        qInfo() << "worker busy for" << busy.elapsed() << "ms; longest GUI event loop gap" << maxGap << "ms";
        QVERIFY2(busy.elapsed() > 50, "the work was too short to show anything");
        QVERIFY2(maxGap <= 50, qPrintable(QStringLiteral("GUI thread blocked for %1 ms").arg(maxGap)));
    }
};

QTEST_GUILESS_MAIN(TestAnalysisWorker)
#include "test_analysis_worker.moc"
