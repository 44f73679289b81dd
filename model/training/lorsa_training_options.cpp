#include "model/training/lorsa_training_options.h"

#include "model/core/error.h"

#include <cmath>

namespace lorsa {
namespace {

[[noreturn]] void invalid(const std::string& option, const std::string& problem)
{
    throw Error(ErrorKind::InvalidInput, "lorsa train: " + option + " " + problem);
}

} // namespace

TrainingPlan planTraining(const LorsaTrainingOptions& o)
{
    if (o.contextLength < 2)
        invalid("--context-length", "must be at least 2");
    if (o.batchTokens < o.contextLength || o.batchTokens % o.contextLength != 0)
        invalid("--batch-tokens", "must be a positive multiple of --context-length (" + std::to_string(o.contextLength) + ")");
    if (o.totalTokens < o.batchTokens)
        invalid("--total-tokens", "must be at least one batch (" + std::to_string(o.batchTokens) + " tokens)");
    if (o.topK < 1)
        invalid("--top-k", "must be positive");
    if (o.startK != 0 && o.startK < o.topK)
        invalid("--start-k", "must be at least --top-k");
    if (o.startK > o.topK && o.kWarmupTokens <= 0)
        invalid("--k-warmup-tokens", "must be positive when --start-k is given");
    if (!(o.lr > 0) || !std::isfinite(o.lr))
        invalid("--lr", "must be a positive number");
    for (const auto& [name, value] : {std::pair{"--lr-warmup", o.lrWarmupFraction}, std::pair{"--lr-cooldown", o.lrCooldownFraction},
                                      std::pair{"--lr-end-ratio", o.lrEndRatio}})
        if (!(value >= 0 && value <= 1))
            invalid(name, "must be between 0 and 1");
    if (o.lrWarmupFraction + o.lrCooldownFraction > 1)
        invalid("--lr-warmup", "and --lr-cooldown together must not exceed 1");
    if (!(o.clipGradNorm >= 0))
        invalid("--clip-grad", "must not be negative");
    if (!(o.adamBeta1 >= 0 && o.adamBeta1 < 1) || !(o.adamBeta2 >= 0 && o.adamBeta2 < 1))
        invalid("--adam-betas", "must be in [0, 1)");
    TrainingPlan plan;
    plan.rowsPerBatch = o.batchTokens / o.contextLength;
    if (o.bufferRows < plan.rowsPerBatch)
        invalid("--buffer-rows", "must hold at least one batch (" + std::to_string(plan.rowsPerBatch) + " rows)");
    if (o.normSampleTokens < o.contextLength)
        invalid("--norm-sample-tokens", "must be at least one row (" + std::to_string(o.contextLength) + " tokens)");
    if (o.logEverySteps < 1)
        invalid("--log-every", "must be positive");
    plan.totalSteps = (o.totalTokens + o.batchTokens - 1) / o.batchTokens;
    plan.warmupSteps = std::llround(o.lrWarmupFraction * static_cast<double>(plan.totalSteps));
    plan.cooldownSteps = std::llround(o.lrCooldownFraction * static_cast<double>(plan.totalSteps));
    return plan;
}

double learningRateAt(int64_t step, const TrainingPlan& plan, const LorsaTrainingOptions& options)
{
    const auto steps = [](int64_t n) { return static_cast<double>(n); };
    if (step < plan.warmupSteps)
        return options.lr * steps(step + 1) / steps(plan.warmupSteps);
    const int64_t cooldownStart = plan.totalSteps - plan.cooldownSteps;
    if (plan.cooldownSteps > 0 && step >= cooldownStart) {
        const double done = std::min(1.0, steps(step - cooldownStart + 1) / steps(plan.cooldownSteps));
        return options.lr * (1.0 - (1.0 - options.lrEndRatio) * done);
    }
    return options.lr;
}

int64_t topKAt(int64_t tokens, const LorsaTrainingOptions& options)
{
    if (options.startK <= options.topK || tokens >= options.kWarmupTokens)
        return options.topK;
    const double start = static_cast<double>(options.startK);
    const double k = start + (static_cast<double>(options.topK) - start) * static_cast<double>(tokens) /
                                 static_cast<double>(options.kWarmupTokens);
    return std::max(options.topK, static_cast<int64_t>(std::ceil(k)));
}

} // namespace lorsa
