#pragma once
// The `lorsa` command-line tool as a function, so tests can run it in-process too.

#include <ostream>

namespace lorsa::cli {

/// Exit codes: 0 success, 2 bad input or any engine error (one line on \p err), 130 interrupted.
int runLorsaCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace lorsa::cli
