#pragma once
/// \file
/// What `lorsa train` is told, and the schedules derived from it (learning rate, top-k).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lorsa {

struct LorsaTrainingOptions {
    std::filesystem::path modelDir;
    int64_t layer = 0;
    std::vector<std::filesystem::path> corpus;
    std::vector<std::filesystem::path> heldout;   ///< empty: no final evaluation
    std::filesystem::path outDir;

    int64_t nOvHeads = 0;            ///< 0: d_model * expansionFactor
    double expansionFactor = 4.0;
    int64_t nQkHeads = 0;            ///< 0: the model's n_heads (one QK head per MHSA head)
    int64_t dQkHead = 0;             ///< 0: the model's d_head
    int64_t topK = 16;               ///< final k
    int64_t startK = 0;              ///< 0: k (no schedule); else k decays from startK to topK
    int64_t kWarmupTokens = 0;       ///< tokens over which k goes from startK to topK
    double lr = 4e-4;
    double lrWarmupFraction = 0.01;  ///< of the training steps
    double lrCooldownFraction = 0.2; ///< of the training steps
    double lrEndRatio = 0.0;         ///< the learning rate at the last step, relative to lr
    double adamBeta1 = 0.9;
    double adamBeta2 = 0.999;
    double clipGradNorm = 1.0;       ///< 0: no clipping
    int64_t batchTokens = 2048;      ///< per step; a multiple of contextLength
    int64_t contextLength = 128;     ///< tokens per row (BOS included)
    int64_t totalTokens = 1'000'000;
    int64_t bufferRows = 512;        ///< the shuffle buffer, in rows of contextLength tokens
    int64_t normSampleTokens = 16384;///< tokens that estimate the dataset-wise average norms
    uint64_t seed = 42;
    std::string device = "cpu";
    std::string dtype = "float32";   ///< "bfloat16": autocast on CUDA only
    int threads = 0;
    bool initFromModel = true;
    int64_t checkpointEveryTokens = 0;  ///< 0: only at the end
    int64_t logEverySteps = 10;
    int64_t deadWindowTokens = 1'000'000;  ///< a head that has not fired for this long is dead
    int64_t evalTokens = 16384;      ///< held-out tokens of the final evaluation
    bool resume = false;
};

/// Derived once from the options and the model: steps and rows.
struct TrainingPlan {
    int64_t rowsPerBatch = 0;
    int64_t totalSteps = 0;
    int64_t warmupSteps = 0;
    int64_t cooldownSteps = 0;
};

/// Validates the sizes (throws Error(InvalidInput) naming the option) and derives the plan:
/// rowsPerBatch = batchTokens / contextLength, totalSteps = ceil(totalTokens / batchTokens),
/// warm-up and cool-down steps = round(fraction * totalSteps).
TrainingPlan planTraining(const LorsaTrainingOptions& options);

/// Learning rate at 0-based \p step: linear warm-up lr*(step+1)/W over the first W steps, then
/// constant, then over the last C steps a linear cool-down reaching lr*endRatio at the last
/// step: lr*(1 - (1-endRatio)*(step - (S-C) + 1)/C).
double learningRateAt(int64_t step, const TrainingPlan& plan, const LorsaTrainingOptions& options);

/// k after \p tokens training tokens: startK + (topK - startK) * tokens / kWarmupTokens rounded
/// up, and topK from kWarmupTokens on (or always, without a schedule).
int64_t topKAt(int64_t tokens, const LorsaTrainingOptions& options);

} // namespace lorsa
