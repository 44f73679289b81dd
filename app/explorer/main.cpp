// lorsa-explorer: the desktop window.

#include "app/explorer/bundled_demo.h"
#include "app/explorer/explorer_options.h"
#include "app/explorer/main_window.h"
#include "app/explorer/typing_benchmark.h"
#include "model/core/build_info.h"

#include <QApplication>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("OpenLorsa"));
    QApplication::setApplicationName(QStringLiteral("Lorsa Explorer"));
    QApplication::setApplicationVersion(QString::fromStdString(lorsa::lorsaVersion()));
    QApplication::setDesktopFileName(QStringLiteral("org.openlorsa.LorsaExplorer"));
    QString message;
    int exitCode = 0;
    auto options = lorsa::parseExplorerArguments(QApplication::arguments(), message, exitCode);
    if (!options) {
        std::fprintf(exitCode == 0 ? stdout : stderr, "%s\n", qPrintable(message));
        return exitCode;
    }
    if (options->modelDir.isEmpty()) {
        if (const auto demo = lorsa::findBundledDemo()) {
            options->modelDir = demo->modelDir;
            options->lorsaDir = demo->lorsaDir;
            options->startOnInductionHead = true;
            if (!options->hasText) {
                options->text = lorsa::bundledDemoPrompt();
                options->hasText = true;
            }
        }
    }
    const bool scripted = options->benchTypingKeystrokes > 0 || !options->screenshot.isEmpty();
    if (scripted && options->modelDir.isEmpty()) {
        std::fprintf(stderr, "--screenshot and --bench-typing need --model (no bundled demo was found)\n");
        return 2;
    }
    const bool hasPrompt = options->hasText && !options->text.isEmpty();
    if (options->benchTypingKeystrokes > 0 && !hasPrompt) {
        std::fprintf(stderr, "--bench-typing needs a prompt (--text) to retype\n");
        return 2;
    }
    lorsa::MainWindow window(*options);
    window.resize(1600, 1000);
    window.show();
    auto fail = [](const QString& error) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        QApplication::exit(2);
    };
    if (scripted)
        QObject::connect(&window, &lorsa::MainWindow::errorShown, &window, fail);
    if (options->benchTypingKeystrokes > 0) {
        auto* bench = new lorsa::TypingBenchmark(window, options->benchTypingKeystrokes);
        QObject::connect(&window, &lorsa::MainWindow::headDetailShown, bench, &lorsa::TypingBenchmark::start, Qt::SingleShotConnection);
        QObject::connect(&window, &lorsa::MainWindow::sessionLoaded, &window, [&window, fail] {
            if (window.sessionInfo().nOvHeads == 0)
                fail(QStringLiteral("--bench-typing needs a Lorsa (--lorsa DIR)"));
        });
    }
    if (!options->screenshot.isEmpty()) {
        // Grab once the views show a head (or, without a Lorsa, the analysis) and have repainted.
        auto grab = [&window, path = options->screenshot] {
            QTimer::singleShot(500, &window, [&window, path] {
                const bool saved = window.grab().save(path);
                std::fprintf(saved ? stdout : stderr, saved ? "saved %s\n" : "could not save %s\n", qPrintable(path));
                QApplication::exit(saved ? 0 : 2);
            });
        };
        QObject::connect(&window, &lorsa::MainWindow::sessionLoaded, &window, [&window, grab, hasPrompt] {
            if (!hasPrompt)
                grab();  // nothing will be analysed
            else if (window.sessionInfo().nOvHeads > 0)
                QObject::connect(&window, &lorsa::MainWindow::headDetailShown, &window, grab, Qt::SingleShotConnection);
            else
                QObject::connect(&window, &lorsa::MainWindow::analysisShown, &window, grab, Qt::SingleShotConnection);
        }, Qt::SingleShotConnection);
    }
    return QApplication::exec();
}
