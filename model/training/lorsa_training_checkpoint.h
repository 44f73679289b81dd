#pragma once
/// \file
/// What `lorsa train` writes: the Language-Model-SAEs folder (config.json +
/// sae_weights.safetensors) and, beside it, training_state.safetensors holding everything a
/// resumed run needs (parameters, Adam moments, step, data stream position, random state) in
/// one atomically written file, so a checkpoint is either the old one or the new one.

#include "model/lorsa/lorsa_config.h"
#include "model/training/lorsa_training_data.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lorsa {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;
/// How safetensors files are written (writeSafetensors; tests substitute a failing writer).
using SafetensorsWriter =
    std::function<void(const std::filesystem::path&, const NamedTensors&, const std::map<std::string, std::string>&)>;

inline constexpr const char* kTrainingStateFile = "training_state.safetensors";
inline constexpr const char* kTrainingLogFile = "train_log.csv";
inline constexpr const char* kEvaluationFile = "eval.json";

struct LorsaTrainingState {
    int64_t step = 0;                  ///< steps done
    int64_t tokens = 0;                ///< training tokens seen
    double normIn = 0, normOut = 0;    ///< dataset-wise average norms
    NamedTensors parameters;           ///< W_Q, W_K, W_V, W_O, b_Q, b_K, b_V, b_D (float32)
    NamedTensors moments;              ///< adam_m.*, adam_v.*
    int64_t adamSteps = 0;
    at::Tensor tokensSinceFired;       // [n_ov] int64
    LorsaTrainingDataState data;
    std::string fingerprint;           ///< the options that must not change on --resume
};

/// Writes dir/training_state.safetensors with \p writer.
void saveTrainingState(const std::filesystem::path& dir, const LorsaTrainingState& state, const SafetensorsWriter& writer);
/// Reads it back; Error(InvalidFile) naming the file for anything missing or malformed.
LorsaTrainingState loadTrainingState(const std::filesystem::path& dir);

/// Writes dir/sae_weights.safetensors (parameters + dataset_average_activation_norm.* and a
/// __metadata__ recording the input and target this Lorsa was trained on) and dir/config.json.
void writeLorsaFolder(const std::filesystem::path& dir, const LorsaConfig& config, const NamedTensors& parameters,
                      const std::map<std::string, std::string>& metadata, const SafetensorsWriter& writer);

} // namespace lorsa
