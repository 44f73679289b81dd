// lorsa index: build a head atlas (every Lorsa head's statistics and top contexts over a corpus)
// into an SQLite file; Ctrl-C checkpoints and stops, --resume continues (docs/ATLAS.md).

#include "app/cli/commands.h"
#include "app/cli/malloc_tuning.h"
#include "app/cli/progress_line.h"

#include "model/atlas/atlas_indexer.h"

#include <atomic>
#include <csignal>
#include <cstdio>

namespace lorsa::cli {
namespace {

std::atomic<bool> g_interrupted{false};

void onIndexInterrupt(int)
{
    g_interrupted = true;
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C stops at once (the file stays consistent)
}

/// Installs the Ctrl-C handler for the lifetime of the command.
class InterruptGuard {
public:
    InterruptGuard() : m_previous(std::signal(SIGINT, onIndexInterrupt)) { g_interrupted = false; }
    ~InterruptGuard() { std::signal(SIGINT, m_previous); }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*m_previous)(int);
};

void parseShard(const std::string& text, CorpusOptions& corpus)
{
    const auto slash = text.find('/');
    try {
        if (slash != std::string::npos) {
            size_t usedIndex = 0, usedCount = 0;
            const auto index = std::stoll(text.substr(0, slash), &usedIndex);
            const auto count = std::stoll(text.substr(slash + 1), &usedCount);
            if (usedIndex == slash && usedCount == text.size() - slash - 1 && count >= 1 && index >= 0 && index < count) {
                corpus.shardIndex = index;
                corpus.shardCount = count;
                return;
            }
        }
    } catch (const std::exception&) {
    }
    throw Error(ErrorKind::InvalidInput, "--shard '" + text + "': expected I/K with 0 <= I < K (e.g. 0/4)");
}

} // namespace

void addIndexCommand(CLI::App& app, Streams streams)
{
    struct Flags {
        EngineFlags engine;
        std::vector<std::string> corpus;
        std::string out;
        std::string shard;
        IndexOptions index;
    };
    auto* command = app.add_subcommand("index", "Build a head atlas: every Lorsa head's activation statistics and top contexts over a corpus, "
                                                "in an SQLite file (docs/ATLAS.md)");
    auto flags = std::make_shared<Flags>();
    flags->engine.addTo(*command);
    command->add_option("--corpus", flags->corpus, ".jsonl files (one {\"text\": ...} per line) or UTF-8 text files (documents "
                                                   "separated by blank lines)")->required();
    command->add_option("--out", flags->out, "the atlas file (.sqlite); an existing atlas of the same Lorsa is rebuilt, keeping labels")->required();
    command->add_option("--context", flags->index.corpus.context, "context length C: BOS + C-1 corpus tokens")->capture_default_str();
    command->add_option("--top", flags->index.top, "top contexts kept per head")->capture_default_str();
    command->add_option("--max-tokens", flags->index.corpus.maxTokens, "stop after this many corpus tokens (whole contexts; 0 = all)")
        ->capture_default_str();
    command->add_option("--batch", flags->index.batch, "contexts per forward pass")->capture_default_str();
    command->add_flag("--resume", flags->index.resume, "continue an interrupted run into --out (same corpus and options)");
    command->add_option("--shard", flags->shard, "I/K: index every K-th document starting at I (merge with lorsa atlas merge)");
    command->callback([flags, streams] {
        if (flags->engine.lorsa.empty())
            throw Error(ErrorKind::InvalidInput, "lorsa index needs --lorsa DIR");
        auto options = flags->index;
        for (const auto& file : flags->corpus)
            options.corpus.files.emplace_back(file);
        if (!flags->shard.empty())
            parseShard(flags->shard, options.corpus);
        options.out = flags->out;
        options.modelDir = flags->engine.model;
        reuseLargeAllocations();
        const Engine engine(flags->engine.toOptions());
        options.lorsaDir = engine.lorsaDir();  // of a set, the Lorsa chosen from it
        ProgressLine line(streams.err);
        options.progress = [&](const IndexProgress& progress) { line.update(progress); };
        InterruptGuard guard;
        options.cancelled = [] { return g_interrupted.load(); };
        IndexResult result;
        try {
            result = indexAtlas(engine, options);
        } catch (...) {
            line.finish();
            throw;
        }
        line.finish();
        if (result.alreadyComplete) {
            streams.out << flags->out << " is already complete; nothing to resume\n";
            return;
        }
        char text[256];
        std::snprintf(text, sizeof text, "indexed %lld tokens in %lld contexts into %s (%.1f s indexing + %.1f s top contexts, %.0f tokens/s)\n",
                      static_cast<long long>(result.tokens), static_cast<long long>(result.contexts), flags->out.c_str(),
                      result.indexSeconds, result.finalizeSeconds, result.tokensPerSecond);
        streams.out << text;
    });
}

} // namespace lorsa::cli
