// lorsa bench: forward latency, throughput and peak memory of the model and its Lorsa, or (with
// --typing) what each keystroke costs the explorer's worker.

#include "app/cli/commands.h"

#include "model/core/compute_device.h"
#include "model/tools/benchmark.h"
#include "model/tools/typing_benchmark.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

namespace lorsa::cli {
namespace {

nlohmann::ordered_json statsJson(const TimingStats& stats)
{
    return {{"median", stats.median}, {"min", stats.min}, {"max", stats.max}};
}

const std::map<std::string, LorsaDecoder>& decoderNames()
{
    static const std::map<std::string, LorsaDecoder> names{
        {"auto", LorsaDecoder::Automatic}, {"dense", LorsaDecoder::Dense}, {"active-heads", LorsaDecoder::ActiveHeads}};
    return names;
}

std::string decoderName(LorsaDecoder decoder)
{
    for (const auto& [name, value] : decoderNames())
        if (value == decoder)
            return name;
    return "auto";
}

std::string formatStats(const TimingStats& stats)
{
    char line[96];
    std::snprintf(line, sizeof line, "%9.2f ms  (min %.2f, max %.2f)", stats.median, stats.min, stats.max);
    return line;
}

nlohmann::ordered_json keystrokesJson(const KeystrokeTimings& timings)
{
    return {{"analyze_ms", statsJson(timings.analyzeMs)},
            {"head_detail_ms", statsJson(timings.headDetailMs)},
            {"keystroke_ms", statsJson(timings.totalMs)},
            {"keystroke_p90_ms", timings.p90TotalMs}};
}

void runTyping(const EngineFlags& engine, const TypingBenchmarkOptions& options, bool json, Streams streams)
{
    const auto explorer = ExplorerSession::open(engine.toOptions());
    const auto result = runTypingBenchmark(*explorer, options);
    const auto& info = explorer->info();
    if (json) {
        const nlohmann::ordered_json out = {{"model", info.modelName},
                                            {"lorsa", info.lorsaName},
                                            {"device", info.device},
                                            {"dtype", info.dtype},
                                            {"machine", machineDescription()},
                                            {"tokens", result.tokens},
                                            {"keystrokes", result.keystrokes},
                                            {"reusing_prefix", keystrokesJson(result.reusing)},
                                            {"recomputing", keystrokesJson(result.recomputing)},
                                            {"speed_up", result.speedUp()}};
        streams.out << out.dump(2) << "\n";
        return;
    }
    streams.out << "typing into model " << info.modelName << " + Lorsa " << info.lorsaName << " on " << info.device << " in "
                << info.dtype << ": " << result.keystrokes << " keystrokes ending at " << result.tokens << " tokens\n";
    streams.out << "machine " << machineDescription() << "\n";
    for (const auto& [title, timings] : {std::pair{"reusing the prompt's prefix (as the explorer runs)", &result.reusing},
                                         std::pair{"recomputing every prompt whole (baseline)", &result.recomputing}}) {
        streams.out << title << ":\n";
        streams.out << "  analysis        " << formatStats(timings->analyzeMs) << "\n";
        streams.out << "  head detail     " << formatStats(timings->headDetailMs) << "\n";
        streams.out << "  per keystroke   " << formatStats(timings->totalMs) << "\n";
        char line[64];
        std::snprintf(line, sizeof line, "  90th percentile %9.2f ms\n", timings->p90TotalMs);
        streams.out << line;
    }
    char line[96];
    std::snprintf(line, sizeof line, "speed-up per keystroke (median): %.2fx\n", result.speedUp());
    streams.out << line;
}

} // namespace

void addBenchCommand(CLI::App& app, Streams streams)
{
    struct Flags {
        EngineFlags engine;
        BenchmarkOptions bench;
        bool typing = false;
        int64_t keystrokes = 32;
        bool json = false;
    };
    auto* command = app.add_subcommand("bench", "Measure forward latency, throughput and peak memory");
    auto flags = std::make_shared<Flags>();
    flags->engine.addTo(*command);
    command->add_option("--tokens", flags->bench.tokens, "prompt length in tokens")->required();
    command->add_option("--repeat", flags->bench.repeats, "timed repetitions (after the warm-up)")->capture_default_str();
    command->add_flag("--typing", flags->typing,
                      "time keystrokes instead: the prompt grows by one token per keystroke up to --tokens, and each runs "
                      "what the explorer's worker runs (analysis, then the strongest head's detail); needs --lorsa");
    command->add_option("--keystrokes", flags->keystrokes, "timed keystrokes with --typing")->capture_default_str();
    command->add_option("--warmup", flags->bench.warmup, "untimed warm-up runs")->capture_default_str();
    command->add_flag("--baseline", flags->bench.baseline,
                      "also time the straightforward Lorsa forward (all QK patterns at once) for comparison");
    command->add_option("--decoder", flags->bench.decoder,
                        "the timed Lorsa forward's decoder: auto (by device, dtype and density), dense (one GEMM with W_O) "
                        "or active-heads (only the active heads' W_O rows)")
        ->transform(CLI::CheckedTransformer(decoderNames()))
        ->default_str("auto");
    command->add_flag("--json", flags->json, "print one JSON object");
    command->callback([flags, streams] {
        if (flags->typing) {
            TypingBenchmarkOptions options;
            options.tokens = flags->bench.tokens;
            options.keystrokes = flags->keystrokes;
            options.warmup = flags->bench.warmup;
            runTyping(flags->engine, options, flags->json, streams);
            return;
        }
        if (flags->bench.repeats < 1)
            throw Error(ErrorKind::InvalidInput, "--repeat N (at least 1) is needed unless --typing is given");
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
                {"machine", machineDescription()},
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
            if (engine.lorsa()) {
                json["lorsa_attention"] = result.fusedAttention ? "scaled_dot_product_attention" : "blocked";
                json["lorsa_decoder"] = decoderName(flags->bench.decoder);
            }
            if (result.gpuPeakMb)
                json["gpu_peak_mb"] = *result.gpuPeakMb;
            if (result.lorsaGpuWorkingMb)
                json["lorsa_gpu_working_mb"] = *result.lorsaGpuWorkingMb;
            if (result.baselineLorsaGpuWorkingMb)
                json["baseline_lorsa_gpu_working_mb"] = *result.baselineLorsaGpuWorkingMb;
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
        streams.out << "machine " << machineDescription() << "\n";
        streams.out << result.tokens << " tokens x " << result.repeats << " repeats\n";
        streams.out << "model forward   " << formatStats(result.modelMs) << "\n";
        streams.out << "Lorsa forward   " << formatStats(result.lorsaMs) << "\n";
        streams.out << "total           " << formatStats(result.totalMs) << "\n";
        char line[160];
        std::snprintf(line, sizeof line, "throughput      %9.0f tokens/s\nmemory          %9.0f MiB after load, %.0f MiB peak\n",
                      result.tokensPerSecond, result.rssAfterLoadMb, result.peakRssMb);
        streams.out << line;
        if (result.gpuPeakMb) {
            std::snprintf(line, sizeof line, "GPU memory      %9.0f MiB allocator peak, Lorsa forward %.0f MiB working\n", *result.gpuPeakMb,
                          result.lorsaGpuWorkingMb.value_or(0));
            streams.out << line;
        }
        if (result.baselineLorsaMs) {
            std::snprintf(line, sizeof line, "straightforward Lorsa %s, peak %.0f MiB: ours is %.2fx faster\n",
                          formatStats(*result.baselineLorsaMs).c_str(), *result.baselinePeakRssMb,
                          result.baselineLorsaMs->median / result.lorsaMs.median);
            streams.out << line;
        }
    });
}

} // namespace lorsa::cli
