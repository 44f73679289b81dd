// lorsa train: train a Lorsa layer on one layer of a model (see model/training/lorsa_trainer.h).

#include "app/cli/commands.h"

#include "model/training/lorsa_trainer.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>

namespace lorsa::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void onInterrupt(int)
{
    g_interrupted.store(true);
}

/// Installs the SIGINT handler for the duration of a training run and restores the old one.
class InterruptGuard {
public:
    InterruptGuard() : m_previous(std::signal(SIGINT, onInterrupt)) { g_interrupted.store(false); }
    ~InterruptGuard() { std::signal(SIGINT, m_previous); }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*m_previous)(int);
};

std::string duration(double seconds)
{
    const auto s = static_cast<long long>(seconds);
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    return text;
}

} // namespace

void addTrainCommand(CLI::App& app, Streams streams)
{
    struct Flags {
        LorsaTrainingOptions o;
        std::string model, out;
        std::vector<std::string> corpus, heldout;
        bool noInit = false;
        bool quiet = false;
    };
    auto* command = app.add_subcommand(
        "train",
        "Train a Lorsa layer on a model's layer, as Language-Model-SAEs does: input blocks.L.ln1.hook_normalized, target "
        "blocks.L.hook_attn_out (centred for LayerNorm models), MSE after dataset-wise normalisation, top-k by |z|*|W_O|, Adam. "
        "Writes a Language-Model-SAEs folder (config.json, sae_weights.safetensors), training_state.safetensors (for --resume), "
        "train_log.csv and, with --heldout, eval.json. Ctrl-C saves a checkpoint and exits with status 130.");
    auto f = std::make_shared<Flags>();
    auto& o = f->o;
    command->add_option("--model", f->model, "Hugging Face model folder")->required();
    command->add_option("--layer", o.layer, "the layer whose attention the Lorsa replaces")->required();
    command->add_option("--corpus", f->corpus, "UTF-8 text files, documents separated by blank lines")->required();
    command->add_option("--out", f->out, "output folder")->required();
    command->add_option("--heldout", f->heldout, "held-out text files for the final evaluation");
    command->add_option("--n-ov-heads", o.nOvHeads, "OV heads (0: d_model x --expansion)")->capture_default_str();
    command->add_option("--expansion", o.expansionFactor, "OV heads per d_model dimension")->capture_default_str();
    command->add_option("--n-qk-heads", o.nQkHeads, "QK heads (0: the model's head count)")->capture_default_str();
    command->add_option("--d-qk-head", o.dQkHead, "QK head width (0: the model's d_head)")->capture_default_str();
    command->add_option("--top-k", o.topK, "active OV heads per token (final)")->capture_default_str();
    command->add_option("--start-k", o.startK, "k at the start, decreasing linearly to --top-k (0: no schedule)")->capture_default_str();
    command->add_option("--k-warmup-tokens", o.kWarmupTokens, "tokens over which k goes from --start-k to --top-k")->capture_default_str();
    command->add_option("--lr", o.lr, "peak learning rate (Adam)")->capture_default_str();
    command->add_option("--lr-warmup", o.lrWarmupFraction, "linear warm-up, fraction of the steps")->capture_default_str();
    command->add_option("--lr-cooldown", o.lrCooldownFraction, "linear cool-down at the end, fraction of the steps")->capture_default_str();
    command->add_option("--lr-end-ratio", o.lrEndRatio, "learning rate at the last step relative to --lr")->capture_default_str();
    command->add_option("--clip-grad", o.clipGradNorm, "gradient norm clipping (0: none)")->capture_default_str();
    command->add_option("--batch-tokens", o.batchTokens, "tokens per step (a multiple of --context-length)")->capture_default_str();
    command->add_option("--context-length", o.contextLength, "tokens per row, BOS included")->capture_default_str();
    command->add_option("--total-tokens", o.totalTokens, "training tokens")->capture_default_str();
    command->add_option("--buffer-rows", o.bufferRows, "shuffle buffer size in rows (bounds memory)")->capture_default_str();
    command->add_option("--norm-sample-tokens", o.normSampleTokens, "tokens that estimate the dataset-wise norms")->capture_default_str();
    command->add_option("--seed", o.seed, "random seed (initialisation and shuffling)")->capture_default_str();
    command->add_option("--device", o.device, "cpu | cuda | cuda:N | auto")->capture_default_str();
    command->add_option("--dtype", o.dtype, "float32 | bfloat16 (bf16 autocast, CUDA only)")->capture_default_str();
    command->add_option("--threads", o.threads, "CPU threads (0 = all cores)")->capture_default_str();
    command->add_flag("--random-qk-init", f->noInit, "initialise QK randomly instead of from the model's own heads");
    command->add_option("--checkpoint-every", o.checkpointEveryTokens, "save a checkpoint every N tokens (0: only at the end)")->capture_default_str();
    command->add_option("--log-every", o.logEverySteps, "steps between rows of train_log.csv")->capture_default_str();
    command->add_option("--dead-window", o.deadWindowTokens, "a head that has not fired for this many tokens counts as dead")->capture_default_str();
    command->add_option("--eval-tokens", o.evalTokens, "held-out tokens of the final evaluation")->capture_default_str();
    command->add_flag("--resume", o.resume, "continue from --out/training_state.safetensors");
    command->add_flag("--quiet", f->quiet, "no progress bar");
    command->callback([f, streams] {
        auto options = f->o;
        options.modelDir = f->model;
        options.outDir = f->out;
        options.corpus.assign(f->corpus.begin(), f->corpus.end());
        options.heldout.assign(f->heldout.begin(), f->heldout.end());
        options.initFromModel = !f->noInit;
        const InterruptGuard interrupt;
        LorsaTrainingHooks hooks;
        hooks.stopRequested = [] { return g_interrupted.load(); };
        auto lastDraw = std::chrono::steady_clock::now() - std::chrono::seconds(1);
        if (!f->quiet)
            hooks.progress = [&, streams](const LorsaTrainingProgress& p) {
                const auto now = std::chrono::steady_clock::now();
                if (now - lastDraw < std::chrono::milliseconds(250) && p.step != p.totalSteps)
                    return;
                lastDraw = now;
                const double fraction = static_cast<double>(p.step) / static_cast<double>(p.totalSteps);
                const int width = 24, filled = static_cast<int>(fraction * width);
                const double eta = p.tokensPerSecond > 0 ? static_cast<double>(p.totalTokens - p.tokens) / p.tokensPerSecond : 0;
                char line[200];
                std::snprintf(line, sizeof line, "\r[%s%s] %lld/%lld  loss %.4g  FVU %.3f  L0 %.1f  k %lld  %.0f tok/s  ETA %s ",
                              std::string(static_cast<size_t>(filled), '#').c_str(), std::string(static_cast<size_t>(width - filled), '.').c_str(),
                              static_cast<long long>(p.step), static_cast<long long>(p.totalSteps), p.loss, p.fvu, p.l0,
                              static_cast<long long>(p.k), p.tokensPerSecond, duration(eta).c_str());
                streams.err << line << (p.step == p.totalSteps ? "\n" : "") << std::flush;
            };
        LorsaTrainer trainer(options, hooks);
        const auto result = trainer.run();
        streams.out << "trained " << result.steps << " steps, " << result.tokens << " tokens at " << static_cast<long long>(result.tokensPerSecond)
                    << " tokens/s; Lorsa written to " << f->out << "\n";
        if (result.evaluation) {
            const auto& e = *result.evaluation;
            char line[200];
            std::snprintf(line, sizeof line, "held-out (%lld tokens): FVU %.4f  L0 %.2f  loss clean %.4f  spliced %.4f (+%.4f)\n",
                          static_cast<long long>(e.tokens), e.fvu, e.l0, e.cleanLoss, e.splicedLoss, e.splicedLoss - e.cleanLoss);
            streams.out << line;
        }
    });
}

} // namespace lorsa::cli
