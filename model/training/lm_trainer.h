#pragma once
/// \file
/// Training the small gpt_neox language model of the demo: corpus -> packed token rows ->
/// AdamW with warm-up + cosine schedule and gradient clipping -> a Hugging Face folder, a CSV
/// log and a JSON report with the held-out loss against a unigram baseline. Engine-internal.

#include "model/training/adamw.h"
#include "model/training/language_model.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lorsa {

class Tokenizer;

struct LmTrainingOptions {
    LanguageModelShape shape;               ///< vocabSize and endOfTextId are taken from the tokenizer
    int64_t batchTokens = 16384;   ///< tokens per optimiser step (rounded down to whole rows)
    int64_t steps = 0;             ///< optimiser steps; 0: derived from `tokens`
    int64_t tokens = 0;            ///< training tokens when steps is 0
    double lr = 1e-3;
    int64_t warmup = 100;
    double minLrFraction = 0.1;    ///< the cosine ends at lr * this
    double gradClip = 1.0;
    AdamWOptions adam;
    uint64_t seed = 0;
    at::Device device = at::kCPU;
    /// Fraction of rows replaced by a random token sequence repeated to fill the row (teaches
    /// induction heads; 0 = only corpus text).
    double syntheticFraction = 0.0;
    int64_t maxHeldoutRows = 256;  ///< cap on held-out rows evaluated
    int64_t checkpointEvery = 0;   ///< also save the model folder every N steps (0: only at the end)
    /// A model folder this trainer wrote, of the same shape but perhaps fewer positions, to
    /// continue from instead of a fresh initialisation (empty: start afresh).
    std::filesystem::path continueFrom;
};

/// Tokenizes \p documents (no special tokens added) and packs them, each led by \p separator,
/// into rows of \p rowLength tokens: int64 [N, rowLength]; the incomplete last row is dropped.
/// Throws Error(InvalidInput) when the text does not fill a single row.
at::Tensor packCorpusRows(const Tokenizer& tokenizer, const std::vector<std::string>& documents, int64_t rowLength,
                          int64_t separator);

/// Mean next-token cross-entropy (nats) of \p model over rows [N,T], in batches, no grad.
double meanHeldoutLoss(const LanguageModel& model, const at::Tensor& rows);

/// Cross-entropy (nats) on the targets of \p heldoutRows (columns 1..T-1) of the unigram
/// distribution of all tokens in \p trainRows, add-one smoothed over \p vocabSize.
double unigramBaselineLoss(const at::Tensor& trainRows, const at::Tensor& heldoutRows, int64_t vocabSize);

/// Learning rate, loss and throughput after one step.
struct LmStepResult {
    int64_t step = 0;       ///< 1-based, after the step
    int64_t tokens = 0;     ///< training tokens seen so far
    double loss = 0.0;
    double lr = 0.0;
    double gradNorm = 0.0;
};

/// Optimises a LanguageModel on fixed token rows, one batch of rows per step, drawn in a
/// seeded shuffled order, epoch after epoch.
class LmTrainer {
public:
    /// rows: int64 [N, n_ctx] with ids < shape.vocabSize. totalSteps fixes the schedule.
    LmTrainer(const LanguageModelShape& shape, at::Tensor rows, int64_t totalSteps, const LmTrainingOptions& options);

    LmStepResult step();
    int64_t totalSteps() const { return m_totalSteps; }
    int64_t rowsPerBatch() const { return m_rowsPerBatch; }
    const LanguageModel& model() const { return m_model; }

private:
    at::Tensor nextBatch();  // [rowsPerBatch, n_ctx]
    at::Tensor syntheticRow();

    LanguageModel m_model;
    std::unique_ptr<AdamW> m_optimizer;
    at::Tensor m_rows;  // [N, n_ctx]
    LmTrainingOptions m_options;
    int64_t m_totalSteps;
    int64_t m_rowsPerBatch;
    int64_t m_step = 0;
    int64_t m_tokens = 0;
    at::Generator m_generator;
    at::Tensor m_order;  // [N] permutation of the current epoch
    int64_t m_cursor = 0;
};

/// What a training run reports (also written as training_report.json).
struct LmReport {
    double heldoutLoss = 0.0;
    double unigramLoss = 0.0;
    int64_t heldoutTokens = 0;
    double finalTrainLoss = 0.0;
    int64_t steps = 0;
    int64_t tokens = 0;
    int64_t trainCorpusTokens = 0;
    int64_t parameters = 0;
    double seconds = 0.0;
    double tokensPerSecond = 0.0;
};

/// Progress after each step, with the elapsed time, for a progress line.
struct LmProgress {
    LmStepResult result;
    int64_t totalSteps = 0;
    double tokensPerSecond = 0.0;
    double etaSeconds = 0.0;
};

/// The whole run: reads \p tokenizerJson and the corpus files, holds out \p heldoutFiles (or,
/// with none, every 20th row of the corpus), trains, and writes into \p outDir config.json,
/// model.safetensors, tokenizer.json (a copy), training_log.csv (step,tokens,loss,lr) and
/// training_report.json. \p progress (may be empty) is called after every step.
LmReport trainLanguageModel(const std::filesystem::path& tokenizerJson, const std::vector<std::filesystem::path>& corpus,
                            const std::vector<std::filesystem::path>& heldoutFiles, const std::filesystem::path& outDir,
                            const LmTrainingOptions& options, const std::function<void(const LmProgress&)>& progress);

} // namespace lorsa
