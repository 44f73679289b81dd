#pragma once
// Which tokens of an axis get a label: as many as fit without two labels overlapping, whatever
// the prompt length and the pixels the axis has. Pure functions, shared by the on-screen maps'
// tickers and the exported QK figure.

#include <QString>

#include <vector>

namespace lorsa {

/// The smallest step such that labels of every step-th token never overlap: an axis of \p pixels
/// pixels shows \p span tokens and a label needs \p extent pixels along it (its line height when
/// rotated), so labels step tokens apart are step * pixels / span >= extent pixels apart. At least 1; when nothing fits (no
/// pixels), a step larger than the span, so at most one label is drawn.
int labelStep(double span, double pixels, double extent);

/// The tokens in [first, last] that carry a label for \p step: the multiples of step, so that
/// labels stay on their tokens while the view scrolls.
std::vector<int> labelledTokens(int first, int last, int step);

/// A token's display text as an axis label: long ones (<|endoftext|>, words) are cut to ten
/// characters, as labels along an axis cost room across it.
QString tokenAxisLabel(const QString& display);

} // namespace lorsa
