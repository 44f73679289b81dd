#include "model/engine/engine.h"

#include "model/core/compute_device.h"
#include "model/core/error.h"
#include "model/core/log.h"
#include "model/transformer/transformer_weights.h"

#include <ATen/core/grad_mode.h>
#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>

#include <chrono>

namespace lorsa {
namespace {

double millisecondsSince(std::chrono::steady_clock::time_point start, at::Device device)
{
    if (device.is_cuda())
        torch::cuda::synchronize();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

void report(const EngineOptions& options, double fraction, const std::string& stage)
{
    if (options.progress)
        options.progress(fraction, stage);
}

} // namespace

Engine::Engine(const EngineOptions& options)
    : m_device(parseDevice(options.device))
{
    m_threadsLine = configureCpuThreads(options.threads);
    logger("engine")->info("{}", m_threadsLine);
    report(options, 0.0, "tokenizer");
    for (const auto* dir : {&options.modelDir, &options.lorsaDir})
        if (!dir->empty() && !std::filesystem::is_directory(*dir))
            throw Error(ErrorKind::InvalidFile, dir->string() + (std::filesystem::exists(*dir) ? ": not a folder" : ": no such folder"));
    const auto lorsaDir = options.lorsaDir.empty() ? std::filesystem::path() : chooseLorsa(options.lorsaDir, options.lorsaChoice);
    const auto tokenizerFile = options.modelDir / "tokenizer.json";
    if (!std::filesystem::exists(tokenizerFile))
        throw Error(ErrorKind::InvalidFile, tokenizerFile.string() + ": no tokenizer.json in the model folder");
    m_tokenizer = std::make_unique<Tokenizer>(Tokenizer::fromFile(tokenizerFile));
    m_dtype = chooseDtype(options.dtype, m_device, [&] { return storedWeightDtype(options.modelDir); });
    report(options, 0.05, "model weights");
    m_model = Transformer::load(options.modelDir, m_device, m_dtype,
                                [&](double fraction) { report(options, 0.05 + 0.75 * fraction, "model weights"); });
    if (!lorsaDir.empty()) {
        report(options, 0.8, "Lorsa weights");
        replaceLorsa(lorsaDir, options.lorsaInput);
    }
    report(options, 1.0, "ready");
}

void Engine::replaceLorsa(const std::filesystem::path& dir, const std::optional<LorsaInputMode>& inputOverride)
{
    auto lorsa = LorsaLayer::load(dir, m_device, m_dtype);
    // Checked and calibrated before it replaces the current one: a Lorsa that does not fit
    // leaves the engine as it was.
    std::swap(m_lorsa, lorsa);
    try {
        checkLorsaFitsModel();
        const auto evidence = detectInputMode(inputOverride);
        logger("engine")->info("{}", evidence.summary());
        m_inputMode = evidence;
        m_lorsaDir = dir;
    } catch (...) {
        std::swap(m_lorsa, lorsa);
        throw;
    }
}

Engine::~Engine() = default;

int64_t Engine::maxTokens() const
{
    const auto modelContext = m_model->config().nCtx;
    return m_lorsa && m_lorsa->config().nCtx > 0 ? std::min(modelContext, m_lorsa->config().nCtx) : modelContext;
}

std::string Engine::lorsaInHook() const
{
    return blockHook(m_lorsa->config().layer, "ln1.hook_normalized");
}

std::string Engine::lorsaOutHook() const
{
    return blockHook(m_lorsa->config().layer, "hook_attn_out");
}

void Engine::checkLorsaFitsModel() const
{
    const auto& model = m_model->config();
    const auto& sae = m_lorsa->config();
    const auto where = sae.name.empty() ? std::string("the Lorsa checkpoint") : "Lorsa '" + sae.name + "'";
    if (sae.dModel != model.dModel)
        throw Error(ErrorKind::Mismatch, where + " has d_model " + std::to_string(sae.dModel) + " but model '" + model.name +
                                             "' has d_model " + std::to_string(model.dModel));
    if (sae.layer < 0 || sae.layer >= model.nLayers)
        throw Error(ErrorKind::Mismatch, where + " reads layer " + std::to_string(sae.layer) + " but model '" + model.name +
                                             "' has layers 0.." + std::to_string(model.nLayers - 1));
    if (sae.nCtx > model.nCtx)
        throw Error(ErrorKind::Mismatch, where + " has context length " + std::to_string(sae.nCtx) + " but model '" +
                                             model.name + "' only has " + std::to_string(model.nCtx) + " positions");
    if (!sae.hookPointIn.empty() && sae.hookPointIn != lorsaInHook())
        throw Error(ErrorKind::Unsupported, where + " reads '" + sae.hookPointIn + "'; only '" + lorsaInHook() +
                                                "' (the attention input of its layer) is supported");
    if (!sae.hookPointOut.empty() && sae.hookPointOut != lorsaOutHook())
        throw Error(ErrorKind::Unsupported, where + " writes '" + sae.hookPointOut + "'; only '" + lorsaOutHook() +
                                                "' is supported");
}

PromptTokens Engine::encodeText(const std::string& text, bool prependBos) const
{
    std::optional<int64_t> bos;
    if (prependBos) {
        bos = bosTokenFor(*m_tokenizer, m_model->config().bosTokenId);
        if (!bos)
            throw Error(ErrorKind::InvalidInput, "model '" + m_model->config().name + "' defines no BOS token; use --no-bos");
    }
    return encodePromptText(*m_tokenizer, text, bos);
}

PromptTokens Engine::encodePrompt(const std::string& text, bool prependBos) const
{
    auto prompt = encodeText(text, prependBos);
    const auto length = static_cast<int64_t>(prompt.ids.size());
    // Beyond the model's positions (or the Lorsa's, trained and with rotary tables made for its
    // n_ctx): analyse what fits and say so, rather than refusing the whole prompt.
    const auto limit = maxTokens();
    if (length > limit) {
        prompt.ids.resize(static_cast<size_t>(limit));
        prompt.byteSpans.resize(static_cast<size_t>(limit));
        prompt.truncatedFrom = length;
    }
    for (const auto id : prompt.ids)
        if (id < 0 || id >= m_model->config().vocabSize)
            throw Error(ErrorKind::InvalidInput, "token id " + std::to_string(id) + " is outside the model's vocabulary of " +
                                                     std::to_string(m_model->config().vocabSize));
    return prompt;
}

at::Tensor Engine::lorsaInputFrom(const at::Tensor& normalized, LorsaInputMode mode) const
{
    return mode == LorsaInputMode::Affine ? m_model->applyLn1Affine(m_lorsa->config().layer, normalized) : normalized;
}

at::Tensor Engine::reconstructionTarget(const at::Tensor& attnOut, LorsaInputMode mode) const
{
    const bool centred = mode == LorsaInputMode::Normalized && m_model->config().norm == NormKind::LayerNorm;
    return centred ? attnOut - attnOut.mean(-1, true) : attnOut;
}

InputModeEvidence Engine::detectInputMode(const std::optional<LorsaInputMode>& override) const
{
    if (override) {
        InputModeEvidence evidence;
        evidence.chosen = *override;
        evidence.how = "override";
        return evidence;
    }
    const auto& recorded = m_lorsa->config().recordedInput;
    if (recorded == "normalized" || recorded == "affine") {
        InputModeEvidence evidence;
        evidence.chosen = parseInputMode(recorded);
        evidence.how = "recorded in the checkpoint";
        return evidence;
    }
    const auto fallback =
        m_lorsa->config().format == LorsaFormat::OriginalRelease ? LorsaInputMode::Affine : LorsaInputMode::Normalized;
    auto ids = encodePromptText(*m_tokenizer, calibrationText(), bosTokenFor(*m_tokenizer, m_model->config().bosTokenId)).ids;
    ids.resize(std::min<size_t>(ids.size(), static_cast<size_t>(maxTokens())));
    c10::InferenceMode guard;
    const auto tokens = at::tensor(ids, at::kLong).unsqueeze(0).to(m_device);
    ActivationCache cache;
    ForwardOptions forward;
    forward.capture.names = {lorsaInHook(), lorsaOutHook()};
    forward.lastLayer = m_lorsa->config().layer;
    m_model->forward(tokens, cache, forward);
    const auto& normalized = cache.at(lorsaInHook());
    const auto& attnOut = cache.at(lorsaOutHook());
    auto fvuUnder = [&](LorsaInputMode mode) {
        const auto output = m_lorsa->forward(lorsaInputFrom(normalized, mode));
        return fractionOfVarianceUnexplained(reconstructionTarget(attnOut, mode), output.reconstructed);
    };
    return decideInputMode(fvuUnder(LorsaInputMode::Normalized), fvuUnder(LorsaInputMode::Affine), fallback,
                           static_cast<int64_t>(ids.size()));
}

at::Tensor Engine::splicedForward(const at::Tensor& tokens, const at::Tensor& replacement, ForwardOptions forward) const
{
    const auto outHook = lorsaOutHook();
    forward.intervene = [&](const std::string& hook, at::Tensor& activation) {
        if (hook == outHook)
            activation = replacement.to(activation.scalar_type());
    };
    ActivationCache unused;
    return m_model->forward(tokens, unused, forward);
}

RunResult Engine::run(const at::Tensor& tokensIn, const RunRequest& request) const
{
    c10::InferenceMode guard;
    const auto tokens = tokensIn.to(m_device, at::kLong);
    const bool lorsa = m_lorsa && (request.lorsa || request.fidelity || !request.zHeads.empty() || request.lorsaPatterns);
    RunResult result;

    ForwardOptions forward;
    forward.capture = request.modelHooks;
    forward.cancelled = request.cancelled;
    if (lorsa) {
        forward.capture.names.insert(lorsaInHook());
        if (request.fidelity)
            forward.capture.names.insert(lorsaOutHook());
    }
    const bool needLogits = request.logits || request.fidelity || forward.capture.wants("logits");
    if (!needLogits) {
        int64_t last = -1;
        for (const auto& name : forward.capture.names)
            if (name.rfind("blocks.", 0) == 0)
                last = std::max<int64_t>(last, std::stoll(name.substr(7)));
        forward.lastLayer = std::max<int64_t>(last, 0);
    }
    auto start = std::chrono::steady_clock::now();
    const auto logits = m_model->forward(tokens, result.cache, forward);
    if (needLogits)
        result.cache["logits"] = logits;
    result.modelMs = millisecondsSince(start, m_device);
    if (!lorsa)
        return result;

    start = std::chrono::steady_clock::now();
    result.lorsaInput = lorsaInputFrom(result.cache.at(lorsaInHook()), m_inputMode.chosen);
    LorsaForwardOptions lorsaOptions;
    lorsaOptions.keepPatterns = request.lorsaPatterns;
    lorsaOptions.cancelled = request.cancelled;
    result.lorsa = m_lorsa->forward(result.lorsaInput, lorsaOptions);
    if (!request.zHeads.empty()) {
        for (const auto head : request.zHeads)
            if (head < 0 || head >= m_lorsa->config().nOvHeads)
                throw Error(ErrorKind::InvalidInput, "Lorsa head " + std::to_string(head) + " does not exist (the Lorsa has " +
                                                         std::to_string(m_lorsa->config().nOvHeads) + " heads)");
        result.zPatterns = m_lorsa->zPatterns(result.lorsaInput, request.zHeads);
    }
    result.lorsaMs = millisecondsSince(start, m_device);

    if (request.fidelity) {
        const auto target = reconstructionTarget(result.cache.at(lorsaOutHook()), m_inputMode.chosen);
        Fidelity report = reconstructionFidelity(target, result.lorsa->reconstructed, result.lorsa->featureActs);
        report.cleanLoss = nextTokenLoss(logits, tokens);
        ForwardOptions spliced;
        spliced.cancelled = request.cancelled;
        report.splicedLoss = nextTokenLoss(splicedForward(tokens, result.lorsa->reconstructed, spliced), tokens);
        if (!request.modelHooks.wants(lorsaOutHook()))
            result.cache.erase(lorsaOutHook());
        result.fidelity = std::move(report);
    }
    if (!request.modelHooks.wants(lorsaInHook()))
        result.cache.erase(lorsaInHook());
    return result;
}

} // namespace lorsa
