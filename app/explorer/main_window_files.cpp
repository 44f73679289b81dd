// MainWindow: opening folders (dialogs, drag and drop, the recent list), settings and closing.
// Menus, theme and export are in main_window_menus.cpp; the wiring of results in main_window.cpp.

#include "app/explorer/folder_kind.h"
#include "app/explorer/load_status.h"
#include "app/explorer/main_window.h"
#include "app/explorer/message_banner.h"
#include "app/explorer/worker_thread.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSettings>

namespace lorsa {
namespace {

const QString kRecentKey = QStringLiteral("recent");
const QString kSeparator = QStringLiteral("\n");  // cannot occur in a folder chosen from a dialog

QString entryFor(const QString& modelDir, const QString& lorsaDir)
{
    return lorsaDir.isEmpty() ? modelDir : modelDir + kSeparator + lorsaDir;
}

} // namespace

QString MainWindow::chooseFolder(const QString& title, const QString& key)
{
    QSettings settings;
    const QString dir = QFileDialog::getExistingDirectory(this, title, settings.value(key).toString());
    if (!dir.isEmpty())
        settings.setValue(key, dir);
    return dir;
}

EngineOptions MainWindow::sessionOptions(const QString& modelDir, const QString& lorsaDir) const
{
    EngineOptions options;
    options.modelDir = modelDir.toStdString();
    options.lorsaDir = lorsaDir.toStdString();
    // The command line's choice within a set applies to the set it named.
    if (!lorsaDir.isEmpty() && lorsaDir == m_options.lorsaDir) {
        if (m_options.lorsaLayer)
            options.lorsaChoice.layer = *m_options.lorsaLayer;
        options.lorsaChoice.variant = m_options.lorsaVariant.toStdString();
    }
    options.device = m_device->currentData().toString().toStdString();
    options.dtype = m_dtype->currentData().toString().toStdString();
    return options;
}

void MainWindow::openFolders(const QString& modelDir, const QString& lorsaDir)
{
    m_pendingModelDir = modelDir;
    m_pendingLorsaDir = lorsaDir;
    m_loadStatus->start(tr("Loading %1…").arg(QFileInfo(lorsaDir.isEmpty() ? modelDir : lorsaDir).fileName()));
    m_loadGeneration = m_worker->open(sessionOptions(modelDir, lorsaDir));
}

void MainWindow::openModelFolder(const QString& dir)
{
    // A Lorsa belongs to one model: a new model starts without one.
    openFolders(dir, {});
}

void MainWindow::openLorsaFolder(const QString& dir)
{
    if (m_modelDir.isEmpty() && m_pendingModelDir.isEmpty()) {
        m_banner->showMessage(tr("Open a model folder first: %1 is a Lorsa for a model.").arg(dir));
        return;
    }
    openFolders(m_modelDir.isEmpty() ? m_pendingModelDir : m_modelDir, dir);
}

void MainWindow::openDroppedFolder(const QString& dir)
{
    const auto kind = classifyFolder(dir);
    switch (kind.kind) {
    case FolderKind::Model:
        openModelFolder(dir);
        break;
    case FolderKind::Lorsa:
        openLorsaFolder(dir);
        break;
    case FolderKind::Unknown:
        m_banner->showMessage(tr("Cannot open %1").arg(kind.reason));
        break;
    }
}

namespace {

bool isAtlasFile(const QString& path)
{
    const QFileInfo info(path);
    return info.isFile() && info.suffix().compare(QStringLiteral("sqlite"), Qt::CaseInsensitive) == 0;
}

/// Folders (a model, a Lorsa) and atlas files: what a drop opens.
bool holdsOnlyOpenables(const QMimeData* data)
{
    const auto urls = data ? data->urls() : QList<QUrl>{};
    return !urls.isEmpty() && std::all_of(urls.begin(), urls.end(), [](const QUrl& url) {
        return url.isLocalFile() && (QFileInfo(url.toLocalFile()).isDir() || isAtlasFile(url.toLocalFile()));
    });
}

} // namespace

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (holdsOnlyOpenables(event->mimeData()))
        event->acceptProposedAction();
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    // The prompt editor would take a dropped folder as text (its path): folders open instead.
    if (watched == m_prompt->viewport()) {
        switch (event->type()) {
        case QEvent::DragEnter:
        case QEvent::DragMove: {
            auto* drag = static_cast<QDragMoveEvent*>(event);
            if (!holdsOnlyOpenables(drag->mimeData()))
                break;
            drag->acceptProposedAction();
            return true;
        }
        case QEvent::Drop: {
            auto* drop = static_cast<QDropEvent*>(event);
            if (!holdsOnlyOpenables(drop->mimeData()))
                break;
            dropEvent(drop);
            return true;
        }
        default:
            break;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::dropEvent(QDropEvent* event)
{
    // Dropping a model and its Lorsa together loads both at once.
    QString model;
    QString lorsa;
    QString atlas;
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString dir = url.toLocalFile();
        if (isAtlasFile(dir)) {
            atlas = dir;
            continue;
        }
        const auto kind = classifyFolder(dir);
        if (kind.kind == FolderKind::Model)
            model = dir;
        else if (kind.kind == FolderKind::Lorsa)
            lorsa = dir;
        else
            m_banner->showMessage(tr("Cannot open %1").arg(kind.reason));
    }
    if (!model.isEmpty())
        openFolders(model, lorsa);
    else if (!lorsa.isEmpty())
        openLorsaFolder(lorsa);
    // An atlas belongs to a Lorsa: dropped with folders, it opens once they are loaded.
    if (!atlas.isEmpty() && model.isEmpty() && lorsa.isEmpty())
        openAtlas(atlas);
    else if (!atlas.isEmpty())
        m_deferredAtlas = atlas;
    event->acceptProposedAction();
}

void MainWindow::addRecent(const QString& modelDir, const QString& lorsaDir)
{
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    const QString entry = entryFor(modelDir, lorsaDir);
    recent.removeAll(entry);
    recent.prepend(entry);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString& entry : recent) {
        const QStringList parts = entry.split(kSeparator);
        const QString label = parts.size() > 1 ? tr("%1 + %2").arg(QFileInfo(parts[0]).fileName(), QFileInfo(parts[1]).fileName())
                                                : QFileInfo(parts[0]).fileName();
        QAction* action = m_recentMenu->addAction(label, this, [this, parts] { openFolders(parts[0], parts.value(1)); });
        action->setToolTip(parts.join(QStringLiteral(" + ")));
        action->setStatusTip(parts.join(QStringLiteral(" + ")));
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    m_restoredLayout = restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const QString device = m_options.device.isEmpty() ? settings.value(QStringLiteral("device"), QStringLiteral("cpu")).toString() : m_options.device;
    const int deviceIndex = m_device->findData(device.startsWith(QStringLiteral("cuda")) ? QStringLiteral("cuda") : QStringLiteral("cpu"));
    m_device->setCurrentIndex(std::max(0, deviceIndex));
    const QString dtype =
        m_options.dtype.isEmpty() ? settings.value(QStringLiteral("dtype"), QStringLiteral("auto")).toString() : m_options.dtype;
    m_dtype->setCurrentIndex(std::max(0, m_dtype->findData(dtype)));
    applyTheme(settings.value(QStringLiteral("theme"), QStringLiteral("system")).toString());
    rebuildRecentMenu();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("device"), m_device->currentData());
    settings.setValue(QStringLiteral("dtype"), m_dtype->currentData());
    settings.setValue(QStringLiteral("theme"), m_theme);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    m_worker->cancelAll();
    event->accept();
}

} // namespace lorsa
