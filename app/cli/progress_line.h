#pragma once
// A one-line progress bar with tokens/s and ETA for `lorsa index`, redrawn in place on a terminal
// (throttled) and silent when stderr is not one.

#include "model/atlas/atlas_indexer.h"

#include <chrono>
#include <ostream>

namespace lorsa::cli {

class ProgressLine {
public:
    explicit ProgressLine(std::ostream& err);
    void update(const IndexProgress& progress);
    /// Ends the line (once).
    void finish();

private:
    std::ostream& m_err;
    bool m_terminal = false;
    bool m_drawn = false;
    std::chrono::steady_clock::time_point m_last;
};

} // namespace lorsa::cli
