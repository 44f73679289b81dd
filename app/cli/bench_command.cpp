// lorsa bench: forward latency, throughput and peak memory of the model and its Lorsa.

#include "app/cli/commands.h"

#include "model/core/compute_device.h"
#include "model/engine/benchmark.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace lorsa::cli {
namespace {

nlohmann::ordered_json statsJson(const TimingStats& stats)
{
    return {{"median", stats.median}, {"min", stats.min}, {"max", stats.max}};
}

std::string formatStats(const TimingStats& stats)
{
    char line[96];
    std::snprintf(line, sizeof line, "%9.2f ms  (min %.2f, max %.2f)", stats.median, stats.min, stats.max);
    return line;
}

} // namespace

void addBenchCommand(CLI::App& app, Streams streams)
{
    struct Flags {
        EngineFlags engine;
        BenchmarkOptions bench;
        bool json = false;
    };
    auto* command = app.add_subcommand("bench", "Measure forward latency, throughput and peak memory");
    auto flags = std::make_shared<Flags>();
    flags->engine.addTo(*command);
    command->add_option("--tokens", flags->bench.tokens, "prompt length in tokens")->required();
    command->add_option("--repeat", flags->bench.repeats, "timed repetitions (after one warm-up)")->required();
    command->add_option("--warmup", flags->bench.warmup, "untimed warm-up runs")->capture_default_str();
    command->add_flag("--baseline", flags->bench.baseline,
                      "also time the straightforward Lorsa forward (all QK patterns at once) for comparison");
    command->add_flag("--json", flags->json, "print one JSON object");
    command->callback([flags, streams] {
        const Engine engine(flags->engine.toOptions());
        const auto result = runBenchmark(engine, flags->bench);
        const auto& config = engine.model().config();
        if (flags->json) {
            nlohmann::ordered_json json = {
                {"model", config.name},
                {"lorsa", engine.lorsa() ? engine.lorsa()->config().name : ""},
                {"n_ov_heads", engine.lorsa() ? engine.lorsa()->config().nOvHeads : 0},
                {"device", engine.device().str()},
                {"dtype", dtypeName(engine.dtype())},
                {"threads", engine.threadsLine()},
                {"tokens", result.tokens},
                {"repeat", result.repeats},
                {"model_ms", result.modelMs.median},
                {"lorsa_ms", result.lorsaMs.median},
                {"total_ms", result.totalMs.median},
                {"model_ms_stats", statsJson(result.modelMs)},
                {"lorsa_ms_stats", statsJson(result.lorsaMs)},
                {"tokens_per_s", result.tokensPerSecond},
                {"rss_after_load_mb", result.rssAfterLoadMb},
                {"peak_rss_mb", result.peakRssMb},
            };
            if (result.baselineLorsaMs) {
                json["baseline_lorsa_ms"] = result.baselineLorsaMs->median;
                json["baseline_peak_rss_mb"] = *result.baselinePeakRssMb;
                json["lorsa_speedup_vs_baseline"] = result.baselineLorsaMs->median / result.lorsaMs.median;
            }
            streams.out << json.dump(2) << "\n";
            return;
        }
        streams.out << "model " << config.name << " on " << engine.device().str() << " in " << dtypeName(engine.dtype()) << "; "
                    << engine.threadsLine() << "\n";
        streams.out << result.tokens << " tokens x " << result.repeats << " repeats\n";
        streams.out << "model forward   " << formatStats(result.modelMs) << "\n";
        streams.out << "Lorsa forward   " << formatStats(result.lorsaMs) << "\n";
        streams.out << "total           " << formatStats(result.totalMs) << "\n";
        char line[160];
        std::snprintf(line, sizeof line, "throughput      %9.0f tokens/s\nmemory          %9.0f MiB after load, %.0f MiB peak\n",
                      result.tokensPerSecond, result.rssAfterLoadMb, result.peakRssMb);
        streams.out << line;
        if (result.baselineLorsaMs) {
            std::snprintf(line, sizeof line, "straightforward Lorsa %s, peak %.0f MiB: ours is %.2fx faster\n",
                          formatStats(*result.baselineLorsaMs).c_str(), *result.baselinePeakRssMb,
                          result.baselineLorsaMs->median / result.lorsaMs.median);
            streams.out << line;
        }
    });
}

} // namespace lorsa::cli
