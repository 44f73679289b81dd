#include "model/atlas/atlas_indexer.h"

#include "model/atlas/atlas_file.h"
#include "model/atlas/atlas_finalizer.h"
#include "model/atlas/atlas_identity.h"
#include "model/atlas/canonical_top.h"
#include "model/atlas/context_batch.h"
#include "model/atlas/head_accumulator.h"
#include "model/atlas/state_store.h"
#include "model/core/error.h"
#include "model/engine/engine.h"

#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>

namespace lorsa {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The settings an atlas records and a resumed run must repeat exactly.
std::map<std::string, std::string> runSettings(const IndexOptions& options, const AtlasCorpus& corpus)
{
    const auto& c = options.corpus;
    return {{"context", std::to_string(c.context)},
            {"top", std::to_string(options.top)},
            {"batch", std::to_string(options.batch)},
            {"max_tokens", std::to_string(c.maxTokens)},
            {"shard_index", std::to_string(c.shardIndex)},
            {"shard_count", std::to_string(c.shardCount)},
            {"corpus_fingerprint", corpus.fingerprint},
            {"corpus_files", nlohmann::json(corpus.fileNames).dump()},
            {"documents", std::to_string(corpus.documents)},
            {"contexts_total", std::to_string(corpus.contexts.size())},
            {"tokens_total", std::to_string(corpus.tokenCount)}};
}

void checkResumable(AtlasFile& atlas, const std::map<std::string, std::string>& settings)
{
    for (const auto& [key, value] : settings) {
        const auto stored = atlas.meta(key);
        if (stored != value)
            throw Error(ErrorKind::InvalidInput, atlas.path().string() + ": cannot resume: '" + key + "' was " +
                                                     stored.value_or("(unset)") + " and is now " + value +
                                                     " (resume with the same corpus and options, or rebuild without --resume)");
    }
}

void checkpoint(AtlasFile& atlas, const RunningState& state, int64_t contextsDone, int64_t tokensDone)
{
    SqliteTransaction transaction(atlas.db());
    writeRunningState(atlas, state);
    atlas.setMeta("contexts_done", contextsDone);
    atlas.setMeta("tokens_done", tokensDone);
    transaction.commit();
}

} // namespace

IndexResult indexAtlas(const Engine& engine, const IndexOptions& options)
{
    const auto* sae = engine.lorsa();
    if (!sae)
        throw Error(ErrorKind::InvalidInput, "an atlas needs a Lorsa (--lorsa DIR)");
    if (options.top < 1 || options.batch < 1)
        throw Error(ErrorKind::InvalidInput, "--top and --batch must be at least 1");
    if (options.corpus.context > engine.maxTokens())
        throw Error(ErrorKind::InvalidInput, "--context " + std::to_string(options.corpus.context) + " exceeds the " +
                                                 std::to_string(engine.maxTokens()) + " positions the model and Lorsa accept");
    const auto report = [&](IndexProgress progress) {
        if (options.progress)
            options.progress(progress);
    };
    report({"reading corpus", 0, 0, 0, 0});
    const auto bos = bosTokenFor(engine.tokenizer(), engine.model().config().bosTokenId);
    if (!bos)
        throw Error(ErrorKind::InvalidInput, "model '" + engine.model().config().name + "' defines no BOS token; an atlas needs one");
    const auto corpus = buildAtlasCorpus(options.corpus, engine.tokenizer(), *bos);
    const auto identity = atlasIdentity(engine, options.modelDir, options.lorsaDir);
    const auto settings = runSettings(options, corpus);
    const int64_t heads = sae->config().nOvHeads;
    const int64_t totalContexts = static_cast<int64_t>(corpus.contexts.size());

    AtlasFile atlas(options.out, AtlasFile::Access::Create);
    atlas.checkBuiltFrom(identity);
    IndexResult result;
    result.contexts = totalContexts;
    result.tokens = corpus.tokenCount;
    int64_t done = 0, tokensDone = 0;
    // The batched pass keeps kTopMargin extra candidates per head for the exact ranking at the end.
    const int64_t tracked = options.top + kTopMargin;
    HeadAccumulator accumulator(heads, tracked, engine.device());
    const bool resuming = options.resume && atlas.meta("status").has_value();
    if (resuming) {
        checkResumable(atlas, settings);
        if (atlas.requireMeta("status") == "complete") {
            result.alreadyComplete = true;
            return result;
        }
        done = atlas.metaInteger("contexts_done");
        tokensDone = atlas.metaInteger("tokens_done");
        if (done < 0 || done > totalContexts || (done % options.batch != 0 && done != totalContexts))
            throw Error(ErrorKind::InvalidFile, options.out.string() + ": contexts_done " + std::to_string(done) + " is inconsistent (damaged atlas)");
        accumulator.restore(readRunningState(atlas, heads, tracked), [&](int64_t document, int64_t start) {
            const auto ordinal = corpus.find(document, start);
            if (ordinal < 0 || ordinal >= done)
                throw Error(ErrorKind::InvalidFile, options.out.string() + ": checkpoint names context (" + std::to_string(document) +
                                                        ", " + std::to_string(start) + ") that was not indexed (damaged atlas)");
            return ordinal;
        });
        result.resumedContexts = done;
    } else {
        SqliteTransaction transaction(atlas.db());
        atlas.clearIndex();
        atlas.setMeta("format", "lorsa-atlas");
        atlas.setMeta("schema_version", kAtlasSchemaVersion);
        atlas.writeIdentity(identity);
        for (const auto& [key, value] : settings)
            atlas.setMeta(key, value);
        atlas.setMeta("status", "indexing");
        writeRunningState(atlas, RunningState::empty(heads, tracked));
        atlas.setMeta("contexts_done", 0);
        atlas.setMeta("tokens_done", 0);
        transaction.commit();
    }

    const auto contextOf = [&](int64_t ordinal) {
        const auto& span = corpus.contexts.at(static_cast<size_t>(ordinal));
        return std::pair{span.document, span.start};
    };
    const auto start = Clock::now();
    auto lastCheckpoint = start;
    const int64_t tokensAtStart = tokensDone;
    {
        c10::InferenceMode guard;
        RunRequest request;
        request.lorsa = true;
        while (done < totalContexts) {
            std::vector<int64_t> ordinals;
            for (int64_t i = done; i < std::min(totalContexts, done + options.batch); ++i)
                ordinals.push_back(i);
            const auto batch = makeContextBatch(corpus, ordinals, options.batch, options.corpus.context);
            const auto run = engine.run(batch.tokens, request);
            accumulator.add(run.lorsa->featureActs, batch.lengths, batch.ordinals);
            for (const auto length : batch.lengths)
                tokensDone += std::max<int64_t>(0, length - 1);
            done += static_cast<int64_t>(ordinals.size());
            const double elapsed = secondsSince(start);
            const double rate = elapsed > 0 ? static_cast<double>(tokensDone - tokensAtStart) / elapsed : 0;
            report({"indexing", tokensDone, corpus.tokenCount, rate, rate > 0 ? static_cast<double>(corpus.tokenCount - tokensDone) / rate : 0});
            const bool stop = options.cancelled && options.cancelled();
            if (stop || done == totalContexts || secondsSince(lastCheckpoint) >= options.checkpointSeconds) {
                checkpoint(atlas, accumulator.state(contextOf), done, tokensDone);
                lastCheckpoint = Clock::now();
            }
            if (stop && done < totalContexts)
                throw Error(ErrorKind::Cancelled, "indexing interrupted after " + std::to_string(done) + " of " +
                                                      std::to_string(totalContexts) + " contexts; " + options.out.string() +
                                                      " is consistent: rerun with --resume to continue");
        }
    }
    result.indexSeconds = secondsSince(start);
    const auto finalizeStart = Clock::now();
    report({"top contexts", tokensDone, corpus.tokenCount, 0, 0});
    const auto state = readRunningState(atlas, heads, tracked);
    FinalizeOptions finalize;
    finalize.top = options.top;
    finalize.context = options.corpus.context;
    finalize.cancelled = options.cancelled;
    finalizeAtlas(engine, corpus, state, atlas, finalize);
    result.finalizeSeconds = secondsSince(finalizeStart);
    const double total = result.indexSeconds + result.finalizeSeconds;
    result.tokensPerSecond = total > 0 ? static_cast<double>(tokensDone - tokensAtStart) / total : 0;
    report({"done", tokensDone, corpus.tokenCount, result.tokensPerSecond, 0});
    return result;
}

} // namespace lorsa
