#include "app/cli/progress_line.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace lorsa::cli {
namespace {

std::string duration(double seconds)
{
    const auto s = static_cast<long long>(seconds + 0.5);
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, s / 60 % 60);
    else
        std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
    return text;
}

} // namespace

ProgressLine::ProgressLine(std::ostream& err)
    : m_err(err), m_terminal(isatty(STDERR_FILENO) != 0)
{
}

void ProgressLine::update(const IndexProgress& progress)
{
    if (!m_terminal)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (m_drawn && progress.stage == "indexing" && now - m_last < std::chrono::milliseconds(200))
        return;  // don't spam the terminal
    m_last = now;
    char text[256];
    if (progress.stage == "indexing" && progress.tokensTotal > 0) {
        const double fraction = static_cast<double>(progress.tokensDone) / static_cast<double>(progress.tokensTotal);
        const int filled = static_cast<int>(fraction * 30);
        std::snprintf(text, sizeof text, "\r[%s%s] %5.1f%%  %lld/%lld tokens  %.0f tokens/s  ETA %s   ",
                      std::string(static_cast<size_t>(filled), '#').c_str(), std::string(static_cast<size_t>(30 - filled), '.').c_str(),
                      100 * fraction, static_cast<long long>(progress.tokensDone), static_cast<long long>(progress.tokensTotal),
                      progress.tokensPerSecond, duration(progress.etaSeconds).c_str());
    } else {
        std::snprintf(text, sizeof text, "\r%s...%60s", progress.stage.c_str(), "");
    }
    m_err << text << std::flush;
    m_drawn = true;
}

void ProgressLine::finish()
{
    if (m_drawn)
        m_err << "\n" << std::flush;
    m_drawn = false;
}

} // namespace lorsa::cli
