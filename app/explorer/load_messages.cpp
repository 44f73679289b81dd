#include "app/explorer/load_messages.h"

#include "app/explorer/folder_kind.h"

#include <QCoreApplication>
#include <QDir>

namespace lorsa {
namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("LoadMessages", text);
}

} // namespace

QString loadErrorText(const QString& modelDir, const QString& lorsaDir, const QString& message)
{
    const auto names = [&](const QString& dir) { return !dir.isEmpty() && message.contains(QDir::cleanPath(dir)); };
    // The Lorsa folder first: a set's Lorsa folders usually sit inside the model's tree.
    const QString& culprit = names(lorsaDir) ? lorsaDir : names(modelDir) ? modelDir : (lorsaDir.isEmpty() ? modelDir : lorsaDir);
    QString text = tr("Could not open %1: %2").arg(culprit, message);
    if (!lorsaDir.isEmpty() && classifyFolder(modelDir).kind == FolderKind::Lorsa && classifyFolder(lorsaDir).kind == FolderKind::Model)
        text += tr(" — the model and Lorsa folders look swapped: %1 holds a Lorsa and %2 a model.").arg(modelDir, lorsaDir);
    return text;
}

QString fidelityWarning(const Fidelity& fidelity, int layer)
{
    if (!(fidelity.fvu > 1.0))
        return {};
    return tr("The Lorsa explains this prompt's layer %1 attention output worse than a constant would (FVU %2 > 1): "
              "is it the Lorsa of this model and layer, with the right input (Prepend BOS, Lorsa input)?")
        .arg(layer)
        .arg(fidelity.fvu, 0, 'f', 2);
}

} // namespace lorsa
