// MainWindow: the head atlas — its dock, opening an atlas (menu, drag and drop, the one beside the
// loaded Lorsa), building one on the worker, and the links between the atlas and the live views.

#include "app/explorer/build_atlas_dialog.h"
#include "app/explorer/load_status.h"
#include "app/explorer/main_window.h"
#include "app/explorer/message_banner.h"
#include "app/explorer/worker_thread.h"
#include "model/core/error.h"
#include "widgets/atlas_browser.h"
#include "widgets/head_list_view.h"
#include "widgets/selection_model.h"

#include <QCheckBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>

#include <utility>

namespace lorsa {
namespace {

/// Where an atlas of the Lorsa in \p lorsaDir may sit: in its folder, or beside it (the demo).
QStringList atlasCandidates(const QString& lorsaDir)
{
    const QDir dir(lorsaDir);
    return {dir.filePath(QStringLiteral("atlas.sqlite")), QDir::cleanPath(dir.filePath(QStringLiteral("../atlas.sqlite")))};
}

/// The prompt text of an atlas context: its tokens after BOS, as the corpus had them.
QString promptTextOf(const AtlasContext& context)
{
    const std::string& bos = context.tokenTexts.empty() ? std::string() : context.tokenTexts.front();
    if (context.text.rfind(bos, 0) == 0)
        return QString::fromStdString(context.text.substr(bos.size()));
    std::string text;
    for (size_t t = 1; t < context.tokenTexts.size(); ++t)
        text += context.tokenTexts[t];
    return QString::fromStdString(text);
}

QString duration(double seconds)
{
    const auto total = static_cast<qint64>(seconds + 0.5);
    return total >= 3600 ? QStringLiteral("%1:%2:%3").arg(total / 3600).arg(total / 60 % 60, 2, 10, QLatin1Char('0')).arg(total % 60, 2, 10, QLatin1Char('0'))
                         : QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

QDockWidget* MainWindow::buildAtlasDock()
{
    m_atlas = new AtlasBrowser(this);
    auto* dock = new QDockWidget(tr("Head atlas"), this);
    dock->setObjectName(QStringLiteral("atlasDock"));
    dock->setWidget(m_atlas);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    m_atlasStatus = new LoadStatus(this);
    statusBar()->addPermanentWidget(m_atlasStatus);
    connect(m_atlasStatus, &LoadStatus::cancelRequested, m_worker, &WorkerThread::cancelAtlas);
    connect(m_atlas, &AtlasBrowser::notice, m_banner, &MessageBanner::showMessage);
    connect(m_atlas, &AtlasBrowser::sendToPrompt, this, &MainWindow::showContextInPrompt);
    connect(m_atlas, &AtlasBrowser::contextPatternWanted, this,
            [this](const std::vector<int64_t>& tokens, qint64 head) {
                // A request on the Atlas channel would stop a build in progress.
                if (m_atlasBuildGeneration == 0)
                    m_worker->contextPattern(tokens, static_cast<int>(head));
            });
    connect(m_atlas, &AtlasBrowser::atlasChanged, this, [this] {
        m_headList->setAtlasAvailable(m_atlas->isOpen());
        m_closeAtlas->setEnabled(m_atlas->isOpen());
    });
    connect(m_headList, &HeadListView::atlasRequested, this, [this](int head) {
        raiseAtlas();
        m_atlas->showHead(head);
    });

    auto* worker = m_worker->worker();
    connect(worker, &AnalysisWorker::atlasIdentityKnown, this, [this](quint64 generation, const AtlasIdentity& identity) {
        m_pendingIdentity = {generation, identity};
    });
    connect(worker, &AnalysisWorker::contextPatternReady, m_atlas, &AtlasBrowser::setContextPattern);
    connect(worker, &AnalysisWorker::atlasProgress, this,
            [this](quint64 generation, const QString& stage, qint64 done, qint64 total, double perSecond, double eta) {
                if (generation != m_atlasBuildGeneration)
                    return;
                const QLocale locale;
                QString text = stage;
                if (total > 0)
                    text += tr(": %1 of %2 tokens").arg(locale.toString(done), locale.toString(total));
                if (perSecond > 0)
                    text += tr(", %1 tokens/s, %2 left").arg(locale.toString(perSecond, 'f', 0), duration(eta));
                m_atlasStatus->setProgress(total > 0 ? double(done) / double(total) : 0.0, text);
            });
    connect(worker, &AnalysisWorker::atlasBuilt, this, [this](quint64 generation, const QString& path) {
        if (generation != m_atlasBuildGeneration)
            return;
        m_atlasBuildGeneration = 0;
        m_atlasStatus->finish();
        m_buildAtlas->setEnabled(true);
        statusBar()->showMessage(tr("Atlas written to %1").arg(path), 10000);
        openAtlas(path);
    });
    connect(worker, &AnalysisWorker::atlasCancelled, this, [this](quint64 generation) {
        if (generation != m_atlasBuildGeneration)
            return;
        m_atlasBuildGeneration = 0;
        m_atlasStatus->finish();
        m_buildAtlas->setEnabled(true);
        m_banner->showMessage(tr("Building the atlas was cancelled; File → Build atlas… with “Continue an interrupted build” "
                                 "picks it up where it stopped."));
    });
    connect(worker, &AnalysisWorker::failed, this, [this](quint64 generation, const QString& message) {
        if (generation == 0 || generation != m_atlasBuildGeneration)
            return;
        m_atlasBuildGeneration = 0;
        m_atlasStatus->finish();
        m_buildAtlas->setEnabled(true);
        m_banner->showMessage(tr("The atlas could not be built: %1").arg(message));
    });
    return dock;
}

void MainWindow::buildAtlasMenu(QMenu* file)
{
    QAction* open = file->addAction(tr("Open &atlas…"), this, [this] {
        QSettings settings;
        const QString path = QFileDialog::getOpenFileName(this, tr("Open head atlas"), settings.value(QStringLiteral("lastAtlas")).toString(),
                                                          tr("Atlas (*.sqlite);;All files (*)"));
        if (!path.isEmpty())
            openAtlas(path);
    });
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O));
    m_buildAtlas = file->addAction(tr("&Build atlas…"), this, &MainWindow::startAtlasBuild);
    m_closeAtlas = file->addAction(tr("Close atlas"), this, [this] { m_atlas->close(tr("The atlas was closed.")); });
    m_closeAtlas->setEnabled(false);
}

bool MainWindow::openAtlas(const QString& path)
{
    try {
        m_atlas->open(path, m_identity);
    } catch (const std::exception& error) {
        m_banner->showMessage(tr("Cannot open the atlas: %1").arg(QString::fromUtf8(error.what())));
        return false;
    }
    QSettings().setValue(QStringLiteral("lastAtlas"), path);
    raiseAtlas();
    statusBar()->showMessage(tr("Atlas %1 open").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

void MainWindow::atlasSessionChanged(quint64 loadGeneration)
{
    m_identity.reset();
    if (m_pendingIdentity && m_pendingIdentity->first == loadGeneration)
        m_identity = m_pendingIdentity->second;
    m_pendingIdentity.reset();
    m_buildAtlas->setEnabled(m_identity.has_value() && m_atlasBuildGeneration == 0);
    if (m_atlas->isOpen() && (!m_identity || !m_atlas->builtFrom(*m_identity)))
        m_atlas->close(tr("The atlas %1 belongs to another Lorsa than the one loaded now, so it was closed.")
                           .arg(QDir::toNativeSeparators(m_atlas->path())));
    // The command line's atlas and head, once: for the first Lorsa loaded.
    if (!m_options.atlas.isEmpty())
        m_deferredAtlas = std::exchange(m_options.atlas, QString());
    if (!m_deferredAtlas.isEmpty())
        openAtlas(std::exchange(m_deferredAtlas, QString()));
    else if (!m_atlas->isOpen() && m_identity)
        openAtlasBesideLorsa();
    if (const auto head = std::exchange(m_options.atlasHead, std::nullopt); head && m_atlas->isOpen()) {
        m_atlas->showHead(*head);
        raiseAtlas();
    }
}

void MainWindow::raiseAtlas()
{
    auto* dock = findChild<QDockWidget*>(QStringLiteral("atlasDock"));
    dock->show();
    dock->raise();
    // A head page needs room: at least 3/5 of the window's height when docked.
    if (!dock->isFloating() && dock->height() < height() * 3 / 5)
        resizeDocks({dock}, {height() * 3 / 5}, Qt::Vertical);
}

void MainWindow::openAtlasBesideLorsa()
{
    // An atlas beside the Lorsa opens by itself when it is this Lorsa's.
    for (const QString& candidate : atlasCandidates(QString::fromStdString(m_info.lorsaPath))) {
        if (!QFileInfo(candidate).isFile())
            continue;
        try {
            m_atlas->open(candidate, m_identity);
            return;
        } catch (const std::exception&) {
            continue;  // another Lorsa's or unfinished: leave it for File → Open atlas
        }
    }
}

void MainWindow::startAtlasBuild()
{
    if (!m_identity)
        return;
    QString out = atlasCandidates(QString::fromStdString(m_info.lorsaPath)).front();
    if (!QFileInfo(QFileInfo(out).absolutePath()).isWritable()) {
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/atlases");
        QDir().mkpath(dir);
        out = QStringLiteral("%1/%2-layer%3.sqlite").arg(dir, QString::fromStdString(m_identity->lorsaFolder)).arg(m_identity->layer);
    }
    BuildAtlasDialog dialog(out, static_cast<int>(m_info.maxTokens), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const auto request = dialog.request();
    if (m_atlas->isOpen() && QFileInfo(m_atlas->path()) == QFileInfo(QString::fromStdString(request.out.string())))
        m_atlas->close(tr("The atlas is being rebuilt…"));
    m_buildAtlas->setEnabled(false);
    m_atlasStatus->start(tr("Building atlas"));
    m_atlasBuildGeneration = m_worker->buildAtlas(request);
}

void MainWindow::showContextInPrompt(const AtlasContext& context, qint64 head)
{
    if (!m_loaded)
        return;
    // The context's own tokens after BOS; with BOS prepended the peak keeps its position.
    const int query = std::max(0, static_cast<int>(context.position) - (m_bos->isChecked() ? 0 : 1));
    m_prompt->setPlainText(promptTextOf(context));
    m_selection->setLorsaHead(static_cast<int>(head));
    m_selection->setQueryToken(query);
    // After the selection: its change handlers judge "follow the end" by the previous prompt.
    m_followEnd = false;
    m_newSession = false;
    m_mhsaAuto = true;
    requestAnalysis();
}

} // namespace lorsa
