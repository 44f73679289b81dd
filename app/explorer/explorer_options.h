#pragma once
// The command line of lorsa-explorer:
//   lorsa-explorer [--model DIR] [--lorsa DIR [--layer L] [--variant V]] [--text "..."] [--device D] [--dtype T]
//                  [--atlas FILE] [--atlas-head H] [--screenshot FILE] [--bench-typing N] [--version]
//                  [MODEL_DIR [LORSA_DIR]]
// Folders given as arguments (also file:// URLs, from the file manager's "Open with") are told
// apart by their config.json. Without a model the bundled demo opens (bundled_demo.h).

#include <QString>
#include <QStringList>

#include <optional>

namespace lorsa {

struct ExplorerOptions {
    QString modelDir;
    QString lorsaDir;
    std::optional<int> lorsaLayer;  ///< which Lorsa of a set to open first (default: the set's first)
    QString lorsaVariant;
    QString text;
    bool hasText = false;
    QString device;       ///< empty: the saved choice
    QString dtype;        ///< empty: the saved choice
    QString atlas;        ///< open this atlas once the Lorsa is loaded (else the one beside the Lorsa)
    std::optional<int> atlasHead;  ///< show this head's atlas page, the atlas dock raised
    QString screenshot;   ///< grab the window into this PNG once the first analysis is shown, then quit
    int benchTypingKeystrokes = 0;  ///< >0: run the typing benchmark (typing_benchmark.h), then quit
    /// Start on the strongest induction head of the first analysis (the bundled demo).
    bool startOnInductionHead = false;
};

/// The precisions the explorer offers, on its command line and in its tool bar; "auto" (the
/// default) first.
const QStringList& precisionNames();

/// What the "auto" precision picks, for --help and the tool bar's tooltip.
QString automaticPrecisionText();

/// The --version text: version, git commit, LibTorch, Qt, devices (one per line).
QString explorerVersionText();

/// Where QSettings keeps the explorer's settings and recent folders (needs the application's
/// organisation and name set, as main() does).
QString settingsFilePath();

/// Parses \p arguments (argv, program name first). On --help/--version or an error it returns
/// nothing and fills \p message with what to print; \p exitCode is 0 for help, 2 for errors.
std::optional<ExplorerOptions> parseExplorerArguments(const QStringList& arguments, QString& message, int& exitCode);

} // namespace lorsa
