// The window on a Lorsa set: it opens the set's first Lorsa, offers the others in the tool bar,
// switches on the worker (title, status bar and analysis follow), and tells when a prompt is
// longer than the Lorsa's context.

#include "app/explorer/main_window.h"
#include "app/explorer/message_banner.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

using namespace lorsa;

namespace {

constexpr int kTimeoutMs = 60000;

} // namespace

class TestLorsaSelector : public QObject {
    Q_OBJECT

    test::TempDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("LorsaExplorerTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_lorsa_selector"));
        QSettings().clear();
        test::Gpt2FixtureOptions model;
        model.nLayers = 3;
        test::writeTinyGpt2(m_dir / "gpt2", model);
        for (int64_t layer : {0, 2}) {
            test::LorsaFixtureOptions o;
            o.dModel = model.dModel;
            o.layer = layer;
            o.nOvHeads = 64;
            o.rotary = false;
            o.nCtx = 16;
            o.seed = static_cast<uint64_t>(layer + 5);
            test::writeTinyLorsa(m_dir / "set" / "lorsa" / "2x" / "k3" / ("layer" + std::to_string(layer) + "_lorsa_2x_k3"), o);
        }
    }

    void switchesLayersFromTheToolBar()
    {
        ExplorerOptions options;
        options.modelDir = QString::fromStdString((m_dir / "gpt2").string());
        options.lorsaDir = QString::fromStdString((m_dir / "set").string());
        options.device = QStringLiteral("cpu");
        MainWindow window(options);
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy loaded(&window, &MainWindow::sessionLoaded);
        QVERIFY(loaded.wait(kTimeoutMs));
        QCOMPARE(window.sessionInfo().layer, 0);
        QVERIFY(window.windowTitle().contains(QStringLiteral("layer 0")));
        auto* selector = window.findChild<QComboBox*>(QStringLiteral("lorsaLayer"));
        QVERIFY(selector);
        QCOMPARE(selector->count(), 2);
        QCOMPARE(selector->itemText(1), QStringLiteral("layer 2 · 2x/k3"));
        auto* selectorAction = window.findChild<QAction*>(QStringLiteral("lorsaLayerAction"));
        QVERIFY(selectorAction && selectorAction->isVisible());
        auto* bos = window.findChild<QCheckBox*>(QStringLiteral("prependBos"));
        QVERIFY(bos && bos->text().contains(QStringLiteral("<|endoftext|>")));
        window.promptEditor()->setPlainText(QStringLiteral("the cat sat on the mat"));
        QTRY_VERIFY_WITH_TIMEOUT(window.analysis() && window.analysis()->tokens.size() > 6 && window.analysis()->session->layer == 0, kTimeoutMs);
        const auto tokens = window.analysis()->tokens.size();

        selector->setCurrentIndex(1);
        Q_EMIT selector->activated(1);
        QVERIFY(loaded.wait(kTimeoutMs));
        QCOMPARE(window.sessionInfo().layer, 2);
        QVERIFY(window.windowTitle().contains(QStringLiteral("layer 2")));
        QTRY_VERIFY_WITH_TIMEOUT(window.analysis() && window.analysis()->session->layer == 2, kTimeoutMs);
        QCOMPARE(window.analysis()->tokens.size(), tokens);

        // Longer than the Lorsa's 16 positions (the model has 64): analysed up to 16, and said so.
        window.promptEditor()->setPlainText(QString(30, QLatin1Char('x')));
        QTRY_VERIFY_WITH_TIMEOUT(window.analysis() && window.analysis()->truncatedFrom > 0, kTimeoutMs);
        QCOMPARE(window.analysis()->tokens.size(), size_t(16));
        QVERIFY(window.banner()->isVisible());
        QVERIFY2(window.banner()->message().contains(QStringLiteral("only the first 16")), qPrintable(window.banner()->message()));
    }
};

QTEST_MAIN(TestLorsaSelector)
#include "test_lorsa_selector.moc"
