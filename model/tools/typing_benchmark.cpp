#include "model/tools/typing_benchmark.h"

#include "model/core/error.h"
#include "model/engine/lorsa_input.h"

#include <chrono>

namespace lorsa {
namespace {

double msSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

TypingBenchmarkResult runTypingBenchmark(ExplorerSession& session, const TypingBenchmarkOptions& options)
{
    const auto& info = session.info();
    if (info.nOvHeads == 0)
        throw Error(ErrorKind::InvalidInput, "the typing benchmark needs a Lorsa (--lorsa)");
    if (options.keystrokes < 1 || options.warmup < 0 || options.tokens <= options.keystrokes + options.warmup)
        throw Error(ErrorKind::InvalidInput, "--tokens must be larger than the keystrokes (" +
                                                 std::to_string(options.keystrokes + options.warmup) + " with the warm-up)");
    if (options.tokens > info.maxTokens)
        throw Error(ErrorKind::InvalidInput, "--tokens " + std::to_string(options.tokens) + " does not fit the context of " +
                                                 std::to_string(info.maxTokens) + " tokens");
    // A long enough text; each keystroke's prompt ends at a token boundary of it.
    std::string text = calibrationText();
    while (static_cast<int64_t>(session.tokenize(text, true).size()) < options.tokens + 1)
        text += "\n" + calibrationText();
    const auto tokens = session.tokenize(text, true);

    TypingBenchmarkResult result;
    result.tokens = options.tokens;
    result.keystrokes = options.keystrokes;
    const int64_t first = options.tokens - options.keystrokes - options.warmup;
    uint64_t generation = 0;
    const auto timeKeystrokes = [&] {
        std::vector<double> analyzeMs, detailMs, totalMs;
        for (int64_t length = first + 1; length <= options.tokens; ++length) {
            const auto prefix = text.substr(0, static_cast<size_t>(tokens[static_cast<size_t>(length - 1)].byteEnd));
            const auto start = std::chrono::steady_clock::now();
            const auto analysis = session.analyze(prefix, true, ++generation);
            const double analyzed = msSince(start);
            const auto& active = analysis->active.back();
            session.headDetail(active.empty() ? 0 : active.front().head, std::nullopt,
                               static_cast<int32_t>(analysis->tokens.size() - 1), generation);
            const double total = msSince(start);
            if (length - first <= options.warmup)
                continue;
            analyzeMs.push_back(analyzed);
            detailMs.push_back(total - analyzed);
            totalMs.push_back(total);
        }
        return KeystrokeTimings{timingStatsOf(analyzeMs), timingStatsOf(detailMs), timingStatsOf(totalMs), percentileOf(totalMs, 0.9)};
    };
    session.setPrefixReuse(true);
    result.reusing = timeKeystrokes();
    session.setPrefixReuse(false);
    result.recomputing = timeKeystrokes();
    session.setPrefixReuse(true);
    return result;
}

} // namespace lorsa
