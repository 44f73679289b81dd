// MainWindow: menus, opening folders (dialogs, drag and drop, recent list), settings, theme and
// export. The wiring of results lives in main_window.cpp.

#include "app/explorer/explorer_options.h"
#include "app/explorer/folder_kind.h"
#include "app/explorer/load_status.h"
#include "app/explorer/main_window.h"
#include "app/explorer/message_banner.h"
#include "app/explorer/worker_thread.h"
#include "model/core/error.h"
#include "widgets/export_menu.h"
#include "widgets/fidelity_panel.h"
#include "widgets/figure_exporter.h"
#include "widgets/head_list_view.h"
#include "widgets/pattern_map_view.h"
#include "widgets/token_heatmap_view.h"
#include "widgets/z_pattern_view.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPalette>
#include <QSettings>
#include <QShortcut>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>

namespace lorsa {
namespace {

const QString kRecentKey = QStringLiteral("recent");
const QString kSeparator = QStringLiteral("\n");  // cannot occur in a folder chosen from a dialog

QString entryFor(const QString& modelDir, const QString& lorsaDir)
{
    return lorsaDir.isEmpty() ? modelDir : modelDir + kSeparator + lorsaDir;
}

QPalette darkPalette()
{
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(45, 45, 48));
    palette.setColor(QPalette::WindowText, QColor(220, 220, 220));
    palette.setColor(QPalette::Base, QColor(30, 30, 32));
    palette.setColor(QPalette::AlternateBase, QColor(45, 45, 48));
    palette.setColor(QPalette::Text, QColor(220, 220, 220));
    palette.setColor(QPalette::Button, QColor(53, 53, 56));
    palette.setColor(QPalette::ButtonText, QColor(220, 220, 220));
    palette.setColor(QPalette::ToolTipBase, QColor(60, 60, 64));
    palette.setColor(QPalette::ToolTipText, QColor(230, 230, 230));
    palette.setColor(QPalette::Highlight, QColor(80, 130, 200));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::PlaceholderText, QColor(140, 140, 140));
    palette.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 120, 120));
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 120, 120));
    return palette;
}

} // namespace

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* openModel = file->addAction(tr("Open &model folder…"), this, [this] {
        const QString dir = chooseFolder(tr("Open model folder"), QStringLiteral("lastModelFolder"));
        if (!dir.isEmpty())
            openModelFolder(dir);
    });
    openModel->setShortcut(QKeySequence::Open);
    QAction* openLorsa = file->addAction(tr("Open &Lorsa folder…"), this, [this] {
        const QString dir = chooseFolder(tr("Open Lorsa folder"), QStringLiteral("lastLorsaFolder"));
        if (!dir.isEmpty())
            openLorsaFolder(dir);
    });
    openLorsa->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_recentMenu = file->addMenu(tr("&Recent"));
    file->addSeparator();
    buildAtlasMenu(file);
    file->addSeparator();
    // One entry per view, named; the shortcuts export the view with the keyboard focus, whose
    // entry shows them.
    for (const bool figure : {true, false}) {
        QMenu* menu = file->addMenu(figure ? tr("&Export figure") : tr("Export &data"));
        menu->setObjectName(figure ? QStringLiteral("exportFigureMenu") : QStringLiteral("exportDataMenu"));
        connect(menu, &QMenu::aboutToShow, this, [this, menu, figure] { fillExportMenu(menu, figure); });
        auto* focused = new QShortcut(exportShortcut(figure), this);
        focused->setWhatsThis(figure ? tr("Export the figure of the view with the keyboard focus") : tr("Export the data of the view with the keyboard focus"));
        connect(focused, &QShortcut::activated, this, [this, figure] { exportView(*currentFigureSource(), figure); });
    }
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (auto* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    QMenu* theme = view->addMenu(tr("&Theme"));
    auto* group = new QActionGroup(this);
    for (const auto& [name, label] : {std::pair{QStringLiteral("system"), tr("Follow the system")},
                                      std::pair{QStringLiteral("light"), tr("Light")}, std::pair{QStringLiteral("dark"), tr("Dark")}}) {
        QAction* action = theme->addAction(label, this, [this, name = name] { applyTheme(name); });
        action->setCheckable(true);
        action->setData(name);
        group->addAction(action);
    }
    connect(theme, &QMenu::aboutToShow, this, [theme, this] {
        for (QAction* action : theme->actions())
            action->setChecked(action->data().toString() == m_theme);
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    auto* keys = help->addAction(tr("&Keyboard shortcuts"), this,
                                 [this] { QMessageBox::information(this, tr("Keyboard shortcuts"), shortcutsText()); });
    keys->setObjectName(QStringLiteral("shortcutsAction"));
    keys->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About Lorsa Explorer"), this, [this] { QMessageBox::about(this, tr("About Lorsa Explorer"), aboutText()); });
}

QString MainWindow::shortcutsText() const
{
    QString rows;
    const auto row = [&rows](const QKeySequence& keys, const QString& what) {
        rows += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(keys.toString(QKeySequence::NativeText).toHtmlEscaped(), what.toHtmlEscaped());
    };
    for (const QShortcut* shortcut : findChildren<QShortcut*>())
        row(shortcut->key(), shortcut->whatsThis());
    for (const QAction* menu : menuBar()->actions())
        for (const QAction* action : menu->menu() ? menu->menu()->actions() : QList<QAction*>{})
            if (!action->shortcut().isEmpty())
                row(action->shortcut(), QString(action->text()).remove(QLatin1Char('&')));
    return tr("<table cellspacing='6'>%1</table><p>In the head list: type in the filter to find heads and tokens; "
              "right-click any plot to export it.</p>").arg(rows);
}

QString MainWindow::aboutText() const
{
    // The version report, what is open and where settings live: what a bug report needs.
    const QString open = !m_loaded ? tr("nothing")
                                   : tr("model <code>%1</code>%2")
                                         .arg(m_modelDir.toHtmlEscaped(),
                                              m_info.lorsaPath.empty()
                                                  ? QString()
                                                  : tr(", Lorsa <code>%1</code> (layer %2)")
                                                        .arg(QString::fromStdString(m_info.lorsaPath).toHtmlEscaped())
                                                        .arg(m_info.layer));
    return tr("<p><b>Lorsa Explorer</b>: watch low-rank sparse attention heads fire on a prompt.</p>"
              "<pre>%1</pre><p>Open: %2</p><p>Settings and recent folders: <code>%3</code></p>")
        .arg(explorerVersionText().toHtmlEscaped(), open, settingsFilePath().toHtmlEscaped());
}

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
    const QString dtype = m_options.dtype.isEmpty() ? settings.value(QStringLiteral("dtype"), QStringLiteral("float32")).toString() : m_options.dtype;
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

void MainWindow::applyTheme(const QString& theme)
{
    m_theme = theme == QStringLiteral("light") || theme == QStringLiteral("dark") ? theme : QStringLiteral("system");
    // "system" keeps the platform's palette (which follows its light/dark setting); the views
    // repaint from the palette on QEvent::PaletteChange.
    if (m_theme == QStringLiteral("dark"))
        QApplication::setPalette(darkPalette());
    else if (m_theme == QStringLiteral("light"))
        QApplication::setPalette(QApplication::style()->standardPalette());
    else
        QApplication::setPalette(QPalette());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    m_worker->cancelAll();
    event->accept();
}

FigureSource* MainWindow::currentFigureSource() const
{
    // The view that holds the keyboard focus, else the token heatmap.
    const QWidget* focus = QApplication::focusWidget();
    for (AnalysisView* view : m_views)
        if (focus && (focus == view->widget() || view->widget()->isAncestorOf(focus)))
            return view;
    return m_heatmap;
}

QString MainWindow::viewTitle(AnalysisView& view) const
{
    // A docked view is called what its dock says; the one outside a dock is the token heatmap.
    for (const QWidget* w = view.widget(); w; w = w->parentWidget())
        if (const auto* dock = qobject_cast<const QDockWidget*>(w))
            return dock->windowTitle();
    return tr("Token heatmap");
}

QKeySequence MainWindow::exportShortcut(bool figure)
{
    return figure ? QKeySequence(Qt::CTRL | Qt::Key_E) : QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E);
}

void MainWindow::fillExportMenu(QMenu* menu, bool figure)
{
    menu->clear();
    const FigureSource* focused = currentFigureSource();
    for (AnalysisView* view : m_views) {
        QString text = viewTitle(*view) + QStringLiteral("…");
        // Text after a tab is the shortcut column; the real shortcut is the window's.
        if (view == focused)
            text += QLatin1Char('\t') + exportShortcut(figure).toString(QKeySequence::NativeText);
        menu->addAction(text, this, [this, view, figure] { exportView(*view, figure); });
    }
}

void MainWindow::exportView(FigureSource& source, bool figure)
{
    QSettings settings;
    const QString folder = settings.value(QStringLiteral("lastExportFolder"), QDir::homePath()).toString();
    const QString path = figure ? QFileDialog::getSaveFileName(this, tr("Export figure"), QDir(folder).filePath(source.figureName() + QStringLiteral(".pdf")),
                                                               tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png)"))
                                : QFileDialog::getSaveFileName(this, tr("Export data"), QDir(folder).filePath(source.figureName() + QStringLiteral(".csv")),
                                                               tr("CSV (*.csv);;JSON (*.json)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("lastExportFolder"), QFileInfo(path).absolutePath());
    try {
        FigureOptions options;
        if (figure && !askFigureOptions(this, options, source.takesFigureStyle()))
            return;
        if (figure)
            FigureExporter::exportFigure(source, path, options);
        else
            FigureExporter::exportData(source, path);
        statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    } catch (const Error& error) {
        m_banner->showMessage(QString::fromStdString(error.what()));
    }
}

} // namespace lorsa
