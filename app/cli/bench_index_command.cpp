// lorsa bench-index: tokens/s and peak memory of lorsa index against the naive per-context pass
// (Engine::run per context, at::topk at the end), in the same run (docs/BENCHMARKS.md).

#include "app/cli/commands.h"
#include "app/cli/malloc_tuning.h"

#include "model/atlas/index_benchmark.h"
#include "model/core/compute_device.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace lorsa::cli {

void addBenchIndexCommand(CLI::App& app, Streams streams)
{
    struct Flags {
        EngineFlags engine;
        std::vector<std::string> corpus;
        std::string out;
        IndexOptions index;
        int64_t naiveContexts = 0;
        bool json = false;
    };
    auto* command = app.add_subcommand("bench-index", "Measure lorsa index (tokens/s, peak memory) against a naive per-context pass");
    auto flags = std::make_shared<Flags>();
    flags->engine.addTo(*command);
    command->add_option("--corpus", flags->corpus, "corpus files, as for lorsa index")->required();
    command->add_option("--out", flags->out, "the atlas file to write")->required();
    command->add_option("--context", flags->index.corpus.context, "context length")->capture_default_str();
    command->add_option("--top", flags->index.top, "top contexts per head")->capture_default_str();
    command->add_option("--batch", flags->index.batch, "contexts per forward pass")->capture_default_str();
    command->add_option("--max-tokens", flags->index.corpus.maxTokens, "corpus tokens to index (0 = all)")->capture_default_str();
    command->add_option("--naive-contexts", flags->naiveContexts, "contexts the naive pass runs (0 = all; its rate is per token)")
        ->capture_default_str();
    command->add_flag("--json", flags->json, "print one JSON object");
    command->callback([flags, streams] {
        auto options = flags->index;
        for (const auto& file : flags->corpus)
            options.corpus.files.emplace_back(file);
        options.out = flags->out;
        options.modelDir = flags->engine.model;
        reuseLargeAllocations();
        const Engine engine(flags->engine.toOptions());
        options.lorsaDir = engine.lorsaDir();  // of a set, the Lorsa chosen from it
        const auto r = runIndexBenchmark(engine, options, flags->naiveContexts);
        const auto heads = engine.lorsa() ? engine.lorsa()->config().nOvHeads : 0;
        const nlohmann::ordered_json json = {{"model", engine.model().config().name},
                                             {"n_ov_heads", heads},
                                             {"device", engine.device().str()},
                                             {"dtype", dtypeName(engine.dtype())},
                                             {"threads", engine.threadsLine()},
                                             {"machine", machineDescription()},
                                             {"tokens", r.tokens},
                                             {"contexts", r.contexts},
                                             {"context", options.corpus.context},
                                             {"top", options.top},
                                             {"batch", options.batch},
                                             {"ours_seconds", r.oursSeconds},
                                             {"ours_index_seconds", r.oursIndexSeconds},
                                             {"ours_tokens_per_s", r.oursTokensPerSecond},
                                             {"naive_seconds", r.naiveSeconds},
                                             {"naive_tokens_per_s", r.naiveTokensPerSecond},
                                             {"speed_up", r.oursTokensPerSecond / r.naiveTokensPerSecond},
                                             {"peak_rss_after_ours_mb", r.peakRssAfterOursMb},
                                             {"peak_rss_after_naive_mb", r.peakRssAfterNaiveMb},
                                             {"naive_top_agrees", r.topAgrees}};
        if (flags->json) {
            streams.out << json.dump(2) << "\n";
            return;
        }
        char line[512];
        std::snprintf(line, sizeof line,
                      "%lld tokens in %lld contexts of %lld, top %lld, %lld heads on %s\n"
                      "lorsa index   %9.0f tokens/s  (%.2f s, of which %.2f s the batched pass); peak RSS %.0f MiB\n"
                      "naive loop    %9.0f tokens/s  (%.2f s); peak RSS %.0f MiB\n"
                      "speed-up      %9.2fx; naive top-N agrees: %s\n",
                      static_cast<long long>(r.tokens), static_cast<long long>(r.contexts), static_cast<long long>(options.corpus.context),
                      static_cast<long long>(options.top), static_cast<long long>(heads), machineDescription().c_str(),
                      r.oursTokensPerSecond, r.oursSeconds, r.oursIndexSeconds, r.peakRssAfterOursMb, r.naiveTokensPerSecond,
                      r.naiveSeconds, r.peakRssAfterNaiveMb, r.oursTokensPerSecond / r.naiveTokensPerSecond, r.topAgrees ? "yes" : "no");
        streams.out << line;
    });
}

} // namespace lorsa::cli
