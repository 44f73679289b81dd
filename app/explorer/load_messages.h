#pragma once
// The texts that tell a user what went wrong with what they opened: a failed load (naming the
// folder at fault, and saying so when the model and Lorsa folders look swapped) and a Lorsa that
// reconstructs the prompt worse than a constant would (likely another model or layer).

#include "model/engine/analysis.h"

#include <QString>

namespace lorsa {

/// "Could not open DIR: MESSAGE", DIR being the folder the engine's message names (else the
/// Lorsa folder when one was given, else the model folder), plus a hint when \p modelDir holds a
/// Lorsa and \p lorsaDir a model.
QString loadErrorText(const QString& modelDir, const QString& lorsaDir, const QString& message);

/// A warning when the prompt's FVU is above 1 (the Lorsa explains less of the attention output
/// than its mean would); empty otherwise.
QString fidelityWarning(const Fidelity& fidelity, int layer);

} // namespace lorsa
