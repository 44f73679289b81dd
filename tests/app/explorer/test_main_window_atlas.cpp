// The head atlas in the window: an atlas beside the Lorsa opens with it, the live head list links
// to a head's page, the page gets its QK pattern from the worker, and sending a top context to the
// prompt analyses it live with the head and peak selected, where the head fires as the atlas says.

#include "app/explorer/build_atlas_dialog.h"
#include "app/explorer/main_window.h"
#include "app/explorer/message_banner.h"
#include "model/atlas/atlas_indexer.h"
#include "model/engine/engine.h"
#include "tests/app/explorer/explorer_fixture.h"
#include "tests/app/explorer/window_fixture.h"
#include "widgets/atlas_browser.h"
#include "widgets/atlas_context_list.h"
#include "widgets/atlas_head_page.h"
#include "widgets/atlas_head_table_model.h"
#include "widgets/head_list_view.h"
#include "widgets/selection_model.h"

#include <QDialogButtonBox>
#include <QDockWidget>
#include <QPushButton>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QtTest>

#include <fstream>

using namespace lorsa;

namespace {

constexpr int kTimeoutMs = 60000;


} // namespace

class TestMainWindowAtlas : public QObject {
    Q_OBJECT

    std::unique_ptr<test::ExplorerFixture> m_fixture;

private Q_SLOTS:
    void initTestCase()
    {
        test::isolateSettings(QStringLiteral("test_main_window_atlas"));
        m_fixture = std::make_unique<test::ExplorerFixture>();
        // The atlas sits in the Lorsa folder, where the window looks for it.
        const auto corpus = m_fixture->dir / "corpus.txt";
        std::ofstream(corpus) << "The cat sat on the mat. The cat sat on the mat again.\n\n"
                                 "Mary and John went to the store. John gave a drink to Mary.\n\n"
                                 "When it was over, the dog ran to the park and the dog sat down.\n";
        EngineOptions engine;
        engine.modelDir = m_fixture->model;
        engine.lorsaDir = m_fixture->lorsa;
        engine.device = "cpu";
        engine.threads = 1;
        IndexOptions index;
        index.out = m_fixture->lorsa / "atlas.sqlite";
        index.modelDir = m_fixture->model;
        index.lorsaDir = m_fixture->lorsa;
        index.corpus.files = {corpus};
        index.corpus.context = 12;
        index.top = 4;
        indexAtlas(Engine(engine), index);
    }

    void atlasBesideTheLorsaOpensAndLinksToTheLiveViews()
    {
        MainWindow window(test::windowOptions(*m_fixture));
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy loaded(&window, &MainWindow::sessionLoaded);
        QVERIFY(loaded.wait(kTimeoutMs));
        AtlasBrowser* atlas = window.atlas();
        QVERIFY(atlas->isOpen());
        QCOMPARE(QFileInfo(atlas->path()), QFileInfo(QString::fromStdString((m_fixture->lorsa / "atlas.sqlite").string())));

        // The live head list's "Show head N in the atlas".
        const int head = [&] {
            for (const auto& row : atlas->model()->rows())
                if (row.activeCount > 0)
                    return static_cast<int>(row.head);
            return -1;
        }();
        QVERIFY(head >= 0);
        Q_EMIT window.headList()->atlasRequested(head);
        QCOMPARE(atlas->page()->head(), std::optional<int64_t>(head));
        QVERIFY(window.findChild<QDockWidget*>(QStringLiteral("atlasDock"))->isVisible());

        // The worker computes the QK pattern of the page's current context.
        QTRY_VERIFY_WITH_TIMEOUT(atlas->page()->showsContextPattern(), kTimeoutMs);

        // Sending the strongest context to the prompt: analysed live with the head and its peak selected.
        const AtlasContext context = *atlas->page()->currentContext();
        QSignalSpy shown(&window, &MainWindow::headDetailShown);
        Q_EMIT atlas->page()->contextList()->activated(0);
        QTRY_VERIFY_WITH_TIMEOUT(window.headDetail() && window.analysis() &&
                                     int(window.analysis()->tokens.size()) == int(context.tokens.size()) &&
                                     window.headDetail()->lorsaHead == head,
                                 kTimeoutMs);
        QCOMPARE(window.selection()->lorsaHead(), head);
        QCOMPARE(window.selection()->queryToken(), int(context.position));
        for (size_t t = 0; t < context.tokens.size(); ++t)
            QCOMPARE(window.analysis()->tokens[t].id, context.tokens[t]);
        // The head fires at the peak as the atlas recorded it.
        const float live = window.headDetail()->headActivation[size_t(context.position)];
        QVERIFY2(std::abs(live - context.activation) <= 1e-4f * std::max(1.0f, std::abs(context.activation)),
                 qPrintable(QStringLiteral("live %1, atlas %2").arg(live).arg(context.activation)));
    }

    void buildDialogAsksForWhatLorsaIndexNeeds()
    {
        const QString out = QString::fromStdString((m_fixture->dir / "built.sqlite").string());
        BuildAtlasDialog dialog(out, 64);
        auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(!ok->isEnabled());  // no corpus yet
        const QString corpus = QString::fromStdString((m_fixture->dir / "corpus.txt").string());
        dialog.addCorpusFiles({corpus, corpus});
        QVERIFY(ok->isEnabled());
        auto request = dialog.request();
        QCOMPARE(request.corpus.size(), size_t(1));  // listed once
        QCOMPARE(QString::fromStdString(request.out.string()), out);
        QCOMPARE(request.context, int64_t(64));  // the default 128, capped by what the model accepts
        QCOMPARE(request.top, int64_t(32));
        QCOMPARE(request.maxTokens, int64_t(0));
        QVERIFY(!request.resume);
        dialog.setOut(QStringLiteral("/no/such/folder/atlas.sqlite"));
        QVERIFY(!ok->isEnabled());
    }

    void aForeignAtlasIsRefusedInTheBanner()
    {
        MainWindow window(test::windowOptions(*m_fixture));
        window.show();
        QSignalSpy loaded(&window, &MainWindow::sessionLoaded);
        QVERIFY(loaded.wait(kTimeoutMs));
        const auto junk = m_fixture->dir / "junk.sqlite";
        std::ofstream(junk) << "not an atlas at all, just some text to fill a page of the header.........";
        QVERIFY(!window.openAtlas(QString::fromStdString(junk.string())));
        QVERIFY(window.banner()->message().contains(QStringLiteral("junk.sqlite")));
        QVERIFY(window.atlas()->isOpen());  // the Lorsa's own atlas stays open
    }
};

QTEST_MAIN(TestMainWindowAtlas)
#include "test_main_window_atlas.moc"
