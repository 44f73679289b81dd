// MainWindow: the menu bar, the help texts, the theme and exporting a view as a figure or data.

#include "app/explorer/explorer_options.h"
#include "app/explorer/main_window.h"
#include "app/explorer/message_banner.h"
#include "model/core/error.h"
#include "widgets/export_menu.h"
#include "widgets/figure_exporter.h"
#include "widgets/token_heatmap_view.h"

#include <QActionGroup>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPalette>
#include <QSettings>
#include <QShortcut>
#include <QStatusBar>
#include <QStyle>

namespace lorsa {
namespace {

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
