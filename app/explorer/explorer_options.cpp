#include "app/explorer/explorer_options.h"

#include "app/explorer/folder_kind.h"
#include "model/core/build_info.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QSettings>
#include <QUrl>

namespace lorsa {

namespace {

/// A folder named on the command line: a path, or a file:// URL as file managers may pass.
QString localFolder(const QString& argument)
{
    if (argument.startsWith(QStringLiteral("file:")))
        return QDir::cleanPath(QUrl(argument).toLocalFile());
    return QDir::cleanPath(argument);
}

/// Files the model and Lorsa folders given as arguments (the file manager's "Open with" or
/// `lorsa-explorer MODEL_DIR [LORSA_DIR]`) by their config.json. Returns an error or nothing.
QString takeFolders(const QStringList& folders, ExplorerOptions& options)
{
    for (const QString& argument : folders) {
        const QString dir = localFolder(argument);
        const auto kind = classifyFolder(dir);
        QString& slot = kind.kind == FolderKind::Model ? options.modelDir : options.lorsaDir;
        if (kind.kind == FolderKind::Unknown)
            return kind.reason;
        if (!slot.isEmpty())
            return QStringLiteral("%1: a second %2 folder (%3 was given already)")
                .arg(dir, kind.kind == FolderKind::Model ? QStringLiteral("model") : QStringLiteral("Lorsa"), slot);
        slot = dir;
    }
    // (--lorsa without --model has its own message below.)
    if (!folders.isEmpty() && !options.lorsaDir.isEmpty() && options.modelDir.isEmpty())
        return QStringLiteral("%1 is a Lorsa folder: give its model folder too (lorsa-explorer MODEL_DIR LORSA_DIR)").arg(options.lorsaDir);
    return {};
}

} // namespace

QString explorerVersionText()
{
    return QString::fromStdString(versionReport("lorsa-explorer", {std::string("Qt ") + qVersion()}));
}

QString settingsFilePath()
{
    return QSettings().fileName();
}

const QStringList& precisionNames()
{
    static const QStringList names{QStringLiteral("auto"), QStringLiteral("float32"), QStringLiteral("bfloat16"), QStringLiteral("float16")};
    return names;
}

QString automaticPrecisionText()
{
    return QStringLiteral("auto: bfloat16 on CUDA when the checkpoint is stored in bfloat16, float32 otherwise");
}

std::optional<ExplorerOptions> parseExplorerArguments(const QStringList& arguments, QString& message, int& exitCode)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Lorsa Explorer: watch low-rank sparse attention heads fire on a prompt.\n"
                       "Opens the model folder (and Lorsa folder) given as arguments or by --model/--lorsa;\n"
                       "without any, the bundled demo. Settings and recent folders are kept in\n%1")
            .arg(settingsFilePath()));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version(QStringLiteral("version"),
                                     QStringLiteral("Print the version, the git commit, LibTorch and Qt versions and the devices found."));
    parser.addPositionalArgument(QStringLiteral("folders"), QStringLiteral("A model folder and optionally its Lorsa folder (paths or file:// URLs)."),
                                 QStringLiteral("[MODEL_DIR [LORSA_DIR]]"));
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("Hugging Face model folder."), QStringLiteral("DIR"));
    const QCommandLineOption lorsa(QStringLiteral("lorsa"), QStringLiteral("Lorsa checkpoint folder, or a folder tree of Lorsas (a set)."),
                                   QStringLiteral("DIR"));
    const QCommandLineOption layer(QStringLiteral("layer"), QStringLiteral("Which layer's Lorsa to open from a set."), QStringLiteral("L"));
    const QCommandLineOption variant(QStringLiteral("variant"), QStringLiteral("Which variant of that layer, e.g. 8x/k64."),
                                     QStringLiteral("V"));
    const QCommandLineOption text(QStringLiteral("text"), QStringLiteral("Prompt to analyse."), QStringLiteral("TEXT"));
    const QCommandLineOption device(QStringLiteral("device"), QStringLiteral("cpu or cuda."), QStringLiteral("DEVICE"));
    const QCommandLineOption dtype(QStringLiteral("dtype"),
                                   QStringLiteral("%1 (%2).").arg(precisionNames().join(QStringLiteral(", ")), automaticPrecisionText()),
                                   QStringLiteral("DTYPE"));
    const QCommandLineOption atlas(QStringLiteral("atlas"), QStringLiteral("Head atlas of the Lorsa to open (lorsa index)."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption atlasHead(QStringLiteral("atlas-head"), QStringLiteral("Show this head's atlas page."), QStringLiteral("H"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                       QStringLiteral("Save the window as PNG once the first analysis is shown, then quit."), QStringLiteral("FILE"));
    const QCommandLineOption benchTyping(QStringLiteral("bench-typing"),
                                         QStringLiteral("Retype the prompt's last N words one per keystroke, print the time from each "
                                                        "keystroke to repainted views (debounce excluded), then quit."),
                                         QStringLiteral("N"));
    parser.addOptions({version, model, lorsa, layer, variant, text, device, dtype, atlas, atlasHead, screenshot, benchTyping});
    exitCode = 2;
    if (!parser.parse(arguments)) {
        message = parser.errorText();
        return std::nullopt;
    }
    if (parser.isSet(help)) {
        message = parser.helpText();
        exitCode = 0;
        return std::nullopt;
    }
    if (parser.isSet(version)) {
        message = explorerVersionText().trimmed();
        exitCode = 0;
        return std::nullopt;
    }
    ExplorerOptions options;
    options.modelDir = parser.value(model);
    options.lorsaDir = parser.value(lorsa);
    options.lorsaVariant = parser.value(variant);
    if (parser.isSet(layer)) {
        bool ok = false;
        options.lorsaLayer = parser.value(layer).toInt(&ok);
        if (!ok || *options.lorsaLayer < 0) {
            message = QStringLiteral("--layer: '%1' is not a layer number").arg(parser.value(layer));
            return std::nullopt;
        }
    }
    if (const QString error = takeFolders(parser.positionalArguments(), options); !error.isEmpty()) {
        message = error;
        return std::nullopt;
    }
    options.hasText = parser.isSet(text);
    options.text = parser.value(text);
    options.device = parser.value(device).toLower();
    options.dtype = parser.value(dtype).toLower();
    options.screenshot = parser.value(screenshot);
    options.atlas = parser.value(atlas);
    if (parser.isSet(atlasHead)) {
        bool ok = false;
        options.atlasHead = parser.value(atlasHead).toInt(&ok);
        if (!ok || *options.atlasHead < 0) {
            message = QStringLiteral("--atlas-head: '%1' is not a head number").arg(parser.value(atlasHead));
            return std::nullopt;
        }
    }
    if (parser.isSet(benchTyping)) {
        bool ok = false;
        options.benchTypingKeystrokes = parser.value(benchTyping).toInt(&ok);
        if (!ok || options.benchTypingKeystrokes < 1) {
            message = QStringLiteral("--bench-typing: '%1' is not a positive number of keystrokes").arg(parser.value(benchTyping));
            return std::nullopt;
        }
    }
    if (!options.device.isEmpty() && options.device != QStringLiteral("cpu") && !options.device.startsWith(QStringLiteral("cuda"))) {
        message = QStringLiteral("--device: '%1' is not cpu or cuda").arg(options.device);
        return std::nullopt;
    }
    if (!options.dtype.isEmpty() && !precisionNames().contains(options.dtype)) {
        message = QStringLiteral("--dtype: '%1' is not one of %2").arg(options.dtype, precisionNames().join(QStringLiteral(", ")));
        return std::nullopt;
    }
    if (!options.lorsaDir.isEmpty() && options.modelDir.isEmpty()) {
        message = QStringLiteral("--lorsa needs --model");
        return std::nullopt;
    }
    return options;
}

} // namespace lorsa
