// lorsa train-lm: a small gpt2 or gpt_neox language model trained on a corpus, saved as a Hugging Face folder.

#include "app/cli/commands.h"

#include "model/core/compute_device.h"
#include "model/training/lm_trainer.h"

#include <cstdio>
#include <iomanip>

namespace lorsa::cli {
namespace {

std::string formatDuration(double seconds)
{
    const auto total = static_cast<long long>(seconds);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", total / 3600, (total / 60) % 60, total % 60);
    return buffer;
}

} // namespace

void addTrainLmCommand(CLI::App& app, Streams streams)
{
    struct Flags {
        std::string tokenizer;
        std::vector<std::string> corpus;
        std::vector<std::string> heldout;
        std::string out;
        std::string device = "cpu";
        std::string dtype = "float32";
        int threads = 0;
        int64_t printEvery = 10;
        std::string architecture = "gpt2";
        LmTrainingOptions options;
    };
    auto* command = app.add_subcommand("train-lm", "Train a small gpt2 or gpt_neox language model (Hugging Face folder) on a corpus");
    auto flags = std::make_shared<Flags>();
    auto& o = flags->options;
    command->add_option("--tokenizer", flags->tokenizer, "tokenizer.json (e.g. from train-tokenizer)")->required();
    command->add_option("--corpus", flags->corpus, "UTF-8 text files (documents separated by blank lines)")->required();
    command->add_option("--heldout", flags->heldout, "held-out text files (default: every 20th row of the corpus)");
    command->add_option("--out", flags->out, "output folder")->required();
    command->add_option("--architecture", flags->architecture,
                        "gpt2 (learned positions: grows induction heads quickly) | gpt_neox (rotary, parallel residual)")
        ->capture_default_str();
    command->add_option("--layers", o.shape.nLayers, "layers")->capture_default_str();
    command->add_option("--d-model", o.shape.dModel, "residual width")->capture_default_str();
    command->add_option("--heads", o.shape.nHeads, "attention heads")->capture_default_str();
    command->add_option("--d-mlp", o.shape.dMlp, "MLP width")->capture_default_str();
    command->add_option("--n-ctx", o.shape.nCtx, "context length (training row length)")->capture_default_str();
    command->add_option("--rotary-pct", o.shape.rotaryPct, "gpt_neox: fraction of each head's dims that are rotary")->capture_default_str();
    command->add_option("--batch-tokens", o.batchTokens, "tokens per step")->capture_default_str();
    command->add_option("--steps", o.steps, "optimiser steps (or give --tokens)");
    command->add_option("--tokens", o.tokens, "training tokens (used when --steps is not given)");
    command->add_option("--lr", o.lr, "peak learning rate")->capture_default_str();
    command->add_option("--warmup", o.warmup, "warm-up steps")->capture_default_str();
    command->add_option("--min-lr-fraction", o.minLrFraction, "the cosine ends at lr x this")->capture_default_str();
    command->add_option("--weight-decay", o.adam.weightDecay, "AdamW weight decay (matrices only)")->capture_default_str();
    command->add_option("--grad-clip", o.gradClip, "clip the gradient norm to this")->capture_default_str();
    command->add_option("--synthetic", o.syntheticFraction, "fraction of rows that are repeated random token sequences")
        ->capture_default_str();
    command->add_option("--seed", o.seed, "random seed")->capture_default_str();
    command->add_option("--device", flags->device, "cpu | cuda | cuda:N | auto")->capture_default_str();
    command->add_option("--dtype", flags->dtype, "float32 (the only training precision)")->capture_default_str();
    command->add_option("--threads", flags->threads, "CPU threads (0 = all cores)")->capture_default_str();
    command->add_option("--checkpoint-every", flags->options.checkpointEvery, "also save the model every N steps (0: at the end)")
        ->capture_default_str();
    command->add_option("--continue-from", o.continueFrom,
                        "a model folder from train-lm to continue training (same shape; --n-ctx may be larger)");
    command->add_option("--print-every", flags->printEvery, "progress line every N steps")->capture_default_str();
    command->callback([flags, streams] {
        auto options = flags->options;
        options.shape.architecture = trainableArchitecture(flags->architecture);
        options.device = parseDevice(flags->device);
        if (chooseDtype(flags->dtype, options.device, [] { return at::kFloat; }) != at::kFloat)
            throw Error(ErrorKind::Unsupported, "train-lm trains in float32 only; drop --dtype " + flags->dtype);
        streams.out << configureCpuThreads(flags->threads) << "\n";
        std::vector<std::filesystem::path> corpus(flags->corpus.begin(), flags->corpus.end());
        std::vector<std::filesystem::path> heldout(flags->heldout.begin(), flags->heldout.end());
        const auto every = std::max<int64_t>(1, flags->printEvery);
        const auto report = trainLanguageModel(flags->tokenizer, corpus, heldout, flags->out, options, [&](const LmProgress& p) {
            if (p.result.step % every != 0 && p.result.step != p.totalSteps)
                return;
            streams.out << "step " << p.result.step << "/" << p.totalSteps << "  loss " << std::fixed << std::setprecision(4)
                        << p.result.loss << "  lr " << std::scientific << std::setprecision(2) << p.result.lr << std::fixed
                        << "  " << std::setprecision(0) << p.tokensPerSecond << " tok/s  ETA " << formatDuration(p.etaSeconds)
                        << std::defaultfloat << std::endl;
        });
        streams.out << std::setprecision(4) << "held-out loss " << report.heldoutLoss << " nats/token vs unigram baseline "
                    << report.unigramLoss << " (" << report.heldoutTokens << " tokens); " << report.tokens << " training tokens in "
                    << formatDuration(report.seconds) << " (" << std::setprecision(0) << std::fixed << report.tokensPerSecond
                    << " tok/s)\n"
                    << std::defaultfloat << "wrote " << flags->out << "\n";
    });
}

} // namespace lorsa::cli
