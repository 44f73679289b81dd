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
        QVERIFY(load(worker, optionsFor(large.model, large.lorsa)));
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
        QVERIFY(load(worker, optionsFor(m_fixture->model, m_fixture->lorsa)));
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
            generation = worker.open(optionsFor(m_fixture->dir / "no-such-model", {}));
        } else if (which == QStringLiteral("mismatch")) {
            generation = worker.open(optionsFor(m_fixture->model, m_fixture->wrongLorsa));
        } else if (which == QStringLiteral("nomodel")) {
            generation = explore(worker, QStringLiteral("hello"));
        } else {
            QVERIFY(load(worker, optionsFor(m_fixture->model, m_fixture->lorsa)));
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
        QVERIFY(load(worker, optionsFor(m_fixture->model, m_fixture->lorsa)));
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        worker.open(optionsFor(m_fixture->model, m_fixture->wrongLorsa));
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
        QSignalSpy analysed(worker.worker(), &AnalysisWorker::resultReady);
        QSignalSpy failed(worker.worker(), &AnalysisWorker::failed);
        watch.start();
        QElapsedTimer busy;
        busy.start();
        worker.open(optionsFor(large.model, large.lorsa));
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
