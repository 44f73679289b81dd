#pragma once
// Which bars of a bar chart carry a text label: the large ones, as many as fit without two labels
// overlapping. A pure function of the values and the labels' widths, so that the rule is tested
// without a window.

#include <vector>

namespace lorsa {

/// Bar i stands at x = i and has value values[i]; its label, widths[i] wide in x units, is centred
/// on it, above a positive bar and below a negative one (so a positive and a negative label never
/// meet). Bars are taken by decreasing |value|: the largest always gets its label, any other bar
/// of at least \p minFraction of the largest |value| gets one when it overlaps no label already
/// placed on its side of zero (labels \p gap apart at least). Returns the labelled bars, ascending.
std::vector<int> chooseBarLabels(const std::vector<double>& values, const std::vector<double>& widths, double minFraction, double gap = 0);

} // namespace lorsa
