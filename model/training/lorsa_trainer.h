#pragma once
/// \file
/// `lorsa train`: trains a Lorsa layer on one layer of a supported model, as Language-Model-SAEs
/// does (input blocks.L.ln1.hook_normalized, target blocks.L.hook_attn_out centred for LayerNorm
/// models, MSE after dataset-wise normalisation, top-k gated by decoder norm, Adam), streaming
/// activations from the model over a shuffled buffer of token rows, with checkpoints, resume,
/// a CSV log and a final held-out evaluation. Engine-internal (ATen).

#include "model/training/lorsa_training_checkpoint.h"
#include "model/training/lorsa_training_options.h"

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <optional>

namespace lorsa {

class Engine;
class LorsaTrainingData;
class LorsaTrainingModule;
class AdamState;

/// One step's numbers, as logged.
struct LorsaTrainingProgress {
    int64_t step = 0;          ///< steps done
    int64_t totalSteps = 0;
    int64_t tokens = 0;
    int64_t totalTokens = 0;
    double loss = 0;           ///< MSE in normalised units (sum over d, mean over tokens)
    double fvu = 0;            ///< of the batch
    double l0 = 0;             ///< mean active heads per token
    int64_t deadHeads = 0;     ///< OV heads silent for deadWindowTokens
    double lr = 0;
    int64_t k = 0;
    double tokensPerSecond = 0;
    double elapsedSeconds = 0;
};

/// The final evaluation on held-out text (eval.json).
struct LorsaEvaluation {
    int64_t tokens = 0;
    double fvu = 0;
    double l0 = 0;
    double cleanLoss = 0;
    double splicedLoss = 0;
};

struct LorsaTrainingResult {
    int64_t steps = 0;
    int64_t tokens = 0;
    std::vector<double> losses;            ///< per step run by this call
    double tokensPerSecond = 0;
    std::optional<LorsaEvaluation> evaluation;
};

/// What the caller may plug in: progress display, Ctrl-C, and (for tests) the file writer.
struct LorsaTrainingHooks {
    std::function<void(const LorsaTrainingProgress&)> progress;  ///< after every step
    std::function<bool()> stopRequested;  ///< polled after every step: save and throw Error(Cancelled)
    SafetensorsWriter writer;             ///< empty: writeSafetensors
};

class LorsaTrainer {
public:
    /// Loads the model, checks the options against it (Error(Mismatch) for a layer it lacks),
    /// checks the corpus files, and either starts afresh (estimates the norms, initialises) or,
    /// with options.resume, continues from outDir/training_state.safetensors.
    LorsaTrainer(LorsaTrainingOptions options, LorsaTrainingHooks hooks = {});
    ~LorsaTrainer();

    /// Trains until options.totalTokens (checkpointing every checkpointEveryTokens), saves, and
    /// evaluates on the held-out files. Throws Error(Cancelled) after saving when stopped.
    LorsaTrainingResult run();

    /// Trains \p steps more steps (no final save or evaluation): for tests.
    std::vector<double> trainSteps(int64_t steps);
    /// Saves a checkpoint now (output folder + training state).
    void save();

    const LorsaConfig& lorsaConfig() const;
    const TrainingPlan& plan() const { return m_plan; }
    int64_t step() const { return m_step; }
    /// The trained module's reconstruction in model units of a hook_point_in batch [B,T,d].
    at::Tensor reconstruct(const at::Tensor& x) const;
    /// The model's ln1.hook_normalized and reconstruction target for tokens [B,T].
    std::pair<at::Tensor, at::Tensor> activations(const at::Tensor& tokens) const;
    const Engine& engine() const { return *m_engine; }
    /// The module's current parameters (W_Q, W_K, W_V, W_O, b_Q, b_K, b_V, b_D).
    NamedTensors parameters() const;

private:
    double stepOnce();
    std::string fingerprint() const;
    void appendLog(const LorsaTrainingProgress& progress);
    LorsaEvaluation evaluate() const;

    LorsaTrainingOptions m_options;
    LorsaTrainingHooks m_hooks;
    TrainingPlan m_plan;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<LorsaTrainingData> m_data;
    std::unique_ptr<LorsaTrainingModule> m_module;
    std::unique_ptr<AdamState> m_adam;
    at::Tensor m_tokensSinceFired;  // [n_ov] int64
    int64_t m_step = 0;
    int64_t m_tokens = 0;
    double m_elapsed = 0;
    LorsaTrainingProgress m_last;
};

} // namespace lorsa
