#pragma once
/// \file
/// `lorsa index`: runs a corpus through the model (only up to the Lorsa's layer) and its Lorsa
/// in batches, keeps every head's statistics and running top contexts on the device, checkpoints
/// them into the atlas file in transactions (an interrupted run resumes from the last one and
/// ends with the same atlas as an uninterrupted run), then recomputes the final top contexts
/// for their activations and z-patterns. Plain header; the work runs on an Engine.

#include "model/atlas/atlas_corpus.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace lorsa {

class Engine;

struct IndexProgress {
    std::string stage;            ///< "reading corpus", "indexing", "top contexts", "done"
    int64_t tokensDone = 0;       ///< corpus tokens indexed (BOS excluded), resumed ones included
    int64_t tokensTotal = 0;
    double tokensPerSecond = 0;   ///< over this run's indexing so far
    double etaSeconds = 0;        ///< of the indexing stage
};

struct IndexOptions {
    std::filesystem::path out;
    std::filesystem::path modelDir;   ///< recorded in the atlas (folder name, config hash)
    std::filesystem::path lorsaDir;
    CorpusOptions corpus;
    int64_t top = 32;
    int64_t batch = 16;
    bool resume = false;              ///< continue an interrupted run into the same file
    double checkpointSeconds = 30;    ///< time between checkpoints (and one at every interruption)
    std::function<void(const IndexProgress&)> progress;
    /// Polled after every batch; true checkpoints and throws Error(Cancelled).
    std::function<bool()> cancelled;
};

struct IndexResult {
    int64_t contexts = 0;
    int64_t tokens = 0;
    int64_t resumedContexts = 0;      ///< contexts a previous run had done
    bool alreadyComplete = false;     ///< --resume on a finished atlas: nothing to do
    double indexSeconds = 0;          ///< the batched pass (this run's part)
    double finalizeSeconds = 0;       ///< recomputing top contexts, head information
    double tokensPerSecond = 0;       ///< this run's tokens over indexSeconds + finalizeSeconds
};

/// Builds (or, with resume, continues) the atlas \p options.out. An existing atlas of the same
/// Lorsa is rebuilt in place keeping its annotations; one of another Lorsa is refused
/// (Error(Mismatch)); a resume whose corpus or settings differ is refused (Error(InvalidInput)).
IndexResult indexAtlas(const Engine& engine, const IndexOptions& options);

} // namespace lorsa
