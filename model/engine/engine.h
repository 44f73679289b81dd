#pragma once
/// \file
/// The engine: a tokenizer, a language model and optionally a Lorsa layer loaded together,
/// checked against each other, and run on token batches. Engine-internal (uses ATen); the GUI
/// talks to it through ExplorerSession, the CLI directly.

#include "model/engine/engine_options.h"
#include "model/engine/fidelity.h"
#include "model/engine/lorsa_input.h"
#include "model/engine/prompt_tokens.h"
#include "model/lorsa/lorsa_layer.h"
#include "model/lorsa/lorsa_set.h"
#include "model/tokenizer/tokenizer.h"
#include "model/transformer/transformer.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lorsa {

/// What one run computes beyond the language model's own hooks.
struct RunRequest {
    HookRequest modelHooks;                      ///< TransformerLens names to keep
    bool lorsa = false;                          ///< run the Lorsa layer
    bool lorsaPatterns = false;                  ///< keep all Lorsa QK patterns
    std::vector<int64_t> zHeads;                 ///< z-patterns of these OV heads
    bool fidelity = false;                       ///< FVU, L0, clean and spliced loss
    bool logits = false;                         ///< run to the end and keep logits
    std::function<bool()> cancelled;
};

struct RunResult {
    ActivationCache cache;                       ///< model hooks, each [B,...]
    std::optional<LorsaOutput> lorsa;
    at::Tensor lorsaInput;                       // [B,T,d] what the Lorsa read
    at::Tensor zPatterns;                        // [B,n,T,T] for RunRequest::zHeads
    std::optional<Fidelity> fidelity;
    double modelMs = 0;
    double lorsaMs = 0;
};

class Engine {
public:
    /// Loads everything; throws Error naming the file and the problem, Error(Mismatch) when the
    /// Lorsa does not fit the model (d_model, layer, context length).
    explicit Engine(const EngineOptions& options);
    ~Engine();

    const Tokenizer& tokenizer() const { return *m_tokenizer; }
    const Transformer& model() const { return *m_model; }
    const LorsaLayer* lorsa() const { return m_lorsa.get(); }
    const InputModeEvidence& inputMode() const { return m_inputMode; }
    at::Device device() const { return m_device; }
    at::ScalarType dtype() const { return m_dtype; }
    const std::string& threadsLine() const { return m_threadsLine; }
    /// The longest prompt an analysis covers, in tokens: the model's context, or the Lorsa's
    /// when it is shorter.
    int64_t maxTokens() const;
    /// The Lorsa folder in use (the one chosen from a set); empty without a Lorsa.
    const std::filesystem::path& lorsaDir() const { return m_lorsaDir; }

    /// Tokenizes \p text; prepends the BOS id unless the tokenizer already put it first (or
    /// \p prependBos is false). Throws Error(InvalidInput) for an empty prompt. A prompt longer
    /// than maxTokens() (the model's or the Lorsa's context) is cut to it, and
    /// PromptTokens::truncatedFrom says so.
    PromptTokens encodePrompt(const std::string& text, bool prependBos) const;
    /// The same without the length and vocabulary checks (to measure or cut a long text).
    PromptTokens encodeText(const std::string& text, bool prependBos) const;

    /// Runs tokens [B,T] (int64, any device) through the model and, as requested, the Lorsa.
    RunResult run(const at::Tensor& tokens, const RunRequest& request) const;

    /// The Lorsa-spliced forward, the one place this rule lives: the model over \p tokens with
    /// \p replacement [B,T,d] (the Lorsa's reconstruction, or an edit of it) in place of the
    /// Lorsa layer's hook_attn_out. \p forward carries what the caller needs besides (resume
    /// point, key-value cache, cancellation; its intervene is replaced). Returns the logits.
    at::Tensor splicedForward(const at::Tensor& tokens, const at::Tensor& replacement, ForwardOptions forward) const;

    /// The Lorsa's input from the block's ln1.hook_normalized, under \p mode.
    at::Tensor lorsaInputFrom(const at::Tensor& normalized, LorsaInputMode mode) const;
    /// What the Lorsa reconstructs: blocks.L.hook_attn_out, centred per token for LayerNorm
    /// models when the input is normalized (FORMATS.md).
    at::Tensor reconstructionTarget(const at::Tensor& attnOut, LorsaInputMode mode) const;

    /// Loads the Lorsa in \p dir (one folder) in place of the current one, keeping the model;
    /// on any error the engine keeps the Lorsa it had.
    void replaceLorsa(const std::filesystem::path& dir, const std::optional<LorsaInputMode>& inputOverride);

    std::string lorsaInHook() const;
    std::string lorsaOutHook() const;

private:
    void checkLorsaFitsModel() const;
    InputModeEvidence detectInputMode(const std::optional<LorsaInputMode>& override) const;

    at::Device m_device;
    at::ScalarType m_dtype = at::kFloat;  // chosen after the folders are checked ("auto" reads the checkpoint's headers)
    std::string m_threadsLine;
    std::unique_ptr<Tokenizer> m_tokenizer;
    std::unique_ptr<Transformer> m_model;
    std::unique_ptr<LorsaLayer> m_lorsa;
    std::filesystem::path m_lorsaDir;
    InputModeEvidence m_inputMode;
};

} // namespace lorsa
