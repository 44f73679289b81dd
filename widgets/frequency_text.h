#pragma once
// How the atlas's views write how often a head fires, so that the head list, the head page and
// the head card agree and a column of them lines up.

#include <QString>

namespace lorsa {

/// A fraction of tokens as a percentage: one decimal from 1% up ("49.3%", "2.2%", "100.0%"), two
/// significant digits below ("0.70%", "0.0034%"), "0%" for none.
QString frequencyText(double fraction);

} // namespace lorsa
