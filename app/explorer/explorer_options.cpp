#include "app/explorer/explorer_options.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace lorsa {

std::optional<ExplorerOptions> parseExplorerArguments(const QStringList& arguments, QString& message, int& exitCode)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Lorsa Explorer: watch low-rank sparse attention heads fire on a prompt."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("Hugging Face model folder."), QStringLiteral("DIR"));
    const QCommandLineOption lorsa(QStringLiteral("lorsa"), QStringLiteral("Lorsa checkpoint folder, or a folder tree of Lorsas (a set)."),
                                   QStringLiteral("DIR"));
    const QCommandLineOption layer(QStringLiteral("layer"), QStringLiteral("Which layer's Lorsa to open from a set."), QStringLiteral("L"));
    const QCommandLineOption variant(QStringLiteral("variant"), QStringLiteral("Which variant of that layer, e.g. 8x/k64."),
                                     QStringLiteral("V"));
    const QCommandLineOption text(QStringLiteral("text"), QStringLiteral("Prompt to analyse."), QStringLiteral("TEXT"));
    const QCommandLineOption device(QStringLiteral("device"), QStringLiteral("cpu or cuda."), QStringLiteral("DEVICE"));
    const QCommandLineOption dtype(QStringLiteral("dtype"), QStringLiteral("float32, bfloat16 or float16."), QStringLiteral("DTYPE"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                       QStringLiteral("Save the window as PNG once the first analysis is shown, then quit."), QStringLiteral("FILE"));
    const QCommandLineOption benchTyping(QStringLiteral("bench-typing"),
                                         QStringLiteral("Retype the prompt's last N words one per keystroke, print the time from each "
                                                        "keystroke to repainted views (debounce excluded), then quit."),
                                         QStringLiteral("N"));
    parser.addOptions({model, lorsa, layer, variant, text, device, dtype, screenshot, benchTyping});
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
    if (!parser.positionalArguments().isEmpty()) {
        message = QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst());
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
    options.hasText = parser.isSet(text);
    options.text = parser.value(text);
    options.device = parser.value(device).toLower();
    options.dtype = parser.value(dtype).toLower();
    options.screenshot = parser.value(screenshot);
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
    static const QStringList kDtypes{QStringLiteral("float32"), QStringLiteral("bfloat16"), QStringLiteral("float16")};
    if (!options.dtype.isEmpty() && !kDtypes.contains(options.dtype)) {
        message = QStringLiteral("--dtype: '%1' is not one of float32, bfloat16, float16").arg(options.dtype);
        return std::nullopt;
    }
    if (!options.lorsaDir.isEmpty() && options.modelDir.isEmpty()) {
        message = QStringLiteral("--lorsa needs --model");
        return std::nullopt;
    }
    return options;
}

} // namespace lorsa
