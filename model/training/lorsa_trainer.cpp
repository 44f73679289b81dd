#include "model/training/lorsa_trainer.h"

#include "model/core/atomic_file.h"
#include "model/core/compute_device.h"
#include "model/core/error.h"
#include "model/engine/engine.h"
#include "model/io/tensor_source.h"
#include "model/training/lorsa_training_data.h"
#include "model/training/lorsa_training_module.h"
#include "model/transformer/transformer_weights.h"

#include <c10/core/GradMode.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

namespace lorsa {
namespace {

/// CUDA autocast on or off, through the API of the LibTorch at hand (2.4 made it per device).
void setCudaAutocast(bool enabled)
{
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    if (enabled)
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
    if (enabled)
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(enabled);
#endif
}

/// bf16 autocast around the Lorsa forward on CUDA, as Language-Model-SAEs trains.
class AutocastScope {
public:
    explicit AutocastScope(bool enabled) : m_enabled(enabled)
    {
        if (m_enabled)
            setCudaAutocast(true);
    }
    ~AutocastScope()
    {
        if (!m_enabled)
            return;
        setCudaAutocast(false);
        at::autocast::clear_cache();
    }
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool m_enabled;
};

LorsaConfig lorsaConfigFor(const LorsaTrainingOptions& o, const ModelConfig& model)
{
    LorsaConfig c;
    c.dModel = model.dModel;
    c.nOvHeads = o.nOvHeads > 0 ? o.nOvHeads : std::llround(static_cast<double>(model.dModel) * o.expansionFactor);
    c.nQkHeads = o.nQkHeads > 0 ? o.nQkHeads : model.nHeads;
    c.dQkHead = o.dQkHead > 0 ? o.dQkHead : model.dHead;
    if (c.nOvHeads < 1 || c.nOvHeads % c.nQkHeads != 0)
        throw Error(ErrorKind::InvalidInput, "lorsa train: the " + std::to_string(c.nOvHeads) + " OV heads must be a positive multiple of the " +
                                                 std::to_string(c.nQkHeads) + " QK heads");
    if (o.topK > c.nOvHeads || o.startK > c.nOvHeads)
        throw Error(ErrorKind::InvalidInput, "lorsa train: --top-k and --start-k must not exceed the " + std::to_string(c.nOvHeads) + " OV heads");
    c.layer = o.layer;
    c.hookPointIn = blockHook(o.layer, "ln1.hook_normalized");
    c.hookPointOut = blockHook(o.layer, "hook_attn_out");
    c.nCtx = std::min<int64_t>(model.nCtx, std::max<int64_t>(2048, o.contextLength));
    c.topK = o.topK;
    c.normActivation = "dataset-wise";
    // Rotary as the model's own attention: rotate-half pairs (NeoX convention, also HF Llama).
    if (model.rotaryDim > 0) {
        c.rotary = true;
        c.rotaryDim = std::min(model.rotaryDim, c.dQkHead) / 2 * 2;
        c.rotaryBase = model.ropeTheta;
        c.rotaryAdjacentPairs = false;
        if (model.llama3Scaling) {
            c.useNtkByPartsRope = true;
            c.ntkFactor = model.llama3Scaling->factor;
            c.ntkLowFreqFactor = model.llama3Scaling->lowFreqFactor;
            c.ntkHighFreqFactor = model.llama3Scaling->highFreqFactor;
            c.oldContextLength = model.llama3Scaling->originalMaxPositionEmbeddings;
        }
    }
    if (c.oldContextLength <= 0)
        c.oldContextLength = 2048;
    c.attnScale = std::sqrt(static_cast<double>(c.dQkHead));
    return c;
}

at::Tensor rowsTensor(const std::vector<std::vector<int64_t>>& rows)
{
    std::vector<int64_t> flat;
    for (const auto& row : rows)
        flat.insert(flat.end(), row.begin(), row.end());
    return at::tensor(flat, at::kLong).view({static_cast<int64_t>(rows.size()), -1});
}

} // namespace

LorsaTrainer::LorsaTrainer(LorsaTrainingOptions options, LorsaTrainingHooks hooks)
    : m_options(std::move(options)), m_hooks(std::move(hooks))
{
    if (!m_hooks.writer)
        m_hooks.writer = writeSafetensors;
    m_plan = planTraining(m_options);
    const auto device = parseDevice(m_options.device);
    if (m_options.dtype != "float32" && m_options.dtype != "fp32" && m_options.dtype != "bfloat16" && m_options.dtype != "bf16")
        throw Error(ErrorKind::Unsupported, "lorsa train: --dtype must be float32 or bfloat16");
    if ((m_options.dtype == "bfloat16" || m_options.dtype == "bf16") && !device.is_cuda())
        throw Error(ErrorKind::Unsupported, "lorsa train: --dtype bfloat16 means bf16 autocast on CUDA; on the CPU train in float32");
    if (m_options.outDir.empty())
        throw Error(ErrorKind::InvalidInput, "lorsa train: --out is required");
    for (const auto& file : m_options.corpus)
        checkCorpusFile(file);
    for (const auto& file : m_options.heldout)
        checkCorpusFile(file);

    EngineOptions engine;
    engine.modelDir = m_options.modelDir;
    engine.device = m_options.device;
    engine.dtype = "float32";
    engine.threads = m_options.threads;
    m_engine = std::make_unique<Engine>(engine);
    const auto& model = m_engine->model().config();
    if (m_options.layer < 0 || m_options.layer >= model.nLayers)
        throw Error(ErrorKind::Mismatch, "lorsa train: model '" + model.name + "' has layers 0.." + std::to_string(model.nLayers - 1) +
                                             "; --layer " + std::to_string(m_options.layer) + " does not exist");
    if (m_options.contextLength > model.nCtx)
        throw Error(ErrorKind::InvalidInput, "lorsa train: --context-length " + std::to_string(m_options.contextLength) + " exceeds the model's " +
                                                 std::to_string(model.nCtx) + " positions");
    auto config = lorsaConfigFor(m_options, model);

    LorsaTrainingDataOptions data;
    data.files = m_options.corpus;
    data.rowLength = m_options.contextLength;
    data.bos = bosTokenFor(m_engine->tokenizer(), model.bosTokenId);
    data.separator = model.eosTokenIds.empty() ? data.bos : std::optional<int64_t>(model.eosTokenIds.front());
    data.bufferRows = m_options.bufferRows;
    data.seed = m_options.seed;
    data.vocabSize = model.vocabSize;
    m_data = std::make_unique<LorsaTrainingData>(m_engine->tokenizer(), data);
    std::filesystem::create_directories(m_options.outDir);

    if (m_options.resume) {
        const auto state = loadTrainingState(m_options.outDir);
        if (state.fingerprint != fingerprint())
            throw Error(ErrorKind::InvalidInput, "--resume: " + (m_options.outDir / kTrainingStateFile).string() + " was trained with {" +
                                                     state.fingerprint + "}, not {" + fingerprint() + "}");
        config.averageNormIn = state.normIn;
        config.averageNormOut = state.normOut;
        m_module = std::make_unique<LorsaTrainingModule>(config, device);
        for (const auto& [name, value] : state.parameters)
            m_module->setParameter(name, value);
        m_adam = std::make_unique<AdamState>(m_module->parameters(), m_options.adamBeta1, m_options.adamBeta2);
        for (const auto& [name, value] : state.moments)
            m_adam->setMoment(name, value);
        m_adam->setSteps(state.adamSteps);
        if (state.tokensSinceFired.dim() != 1 || state.tokensSinceFired.size(0) != config.nOvHeads)
            throw Error(ErrorKind::InvalidFile, (m_options.outDir / kTrainingStateFile).string() + ": tokens_since_fired has the wrong shape");
        m_tokensSinceFired = state.tokensSinceFired.to(device);
        m_data->restore(state.data);
        m_step = state.step;
        m_tokens = state.tokens;
        // Keep the log's rows up to the resumed step; later ones belong to the lost run.
        const auto logFile = m_options.outDir / kTrainingLogFile;
        std::ifstream in(logFile);
        std::string kept, line;
        while (std::getline(in, line))
            if (kept.empty() || std::stoll(line.substr(0, line.find(','))) <= m_step)
                kept += line + "\n";
        writeFileAtomically(logFile, kept);
        return;
    }
    // Fresh start: estimate the dataset-wise norms on the first rows of the corpus, in order.
    {
        LorsaTrainingDataOptions sample = data;
        sample.bufferRows = 0;
        LorsaTrainingData rows(m_engine->tokenizer(), sample);
        double sumIn = 0, sumOut = 0;
        int64_t count = 0;
        while (count < m_options.normSampleTokens) {
            const auto tokens = rowsTensor(rows.next(m_plan.rowsPerBatch));
            const auto [x, y] = activations(tokens);
            sumIn += x.to(at::kDouble).norm(2, {-1}).sum().item<double>();
            sumOut += y.to(at::kDouble).norm(2, {-1}).sum().item<double>();
            count += tokens.numel();
        }
        config.averageNormIn = sumIn / static_cast<double>(count);
        config.averageNormOut = sumOut / static_cast<double>(count);
        if (!(*config.averageNormIn > 0) || !(*config.averageNormOut > 0))
            throw Error(ErrorKind::InvalidInput, "lorsa train: layer " + std::to_string(m_options.layer) + " has zero attention output on the corpus");
    }
    m_module = std::make_unique<LorsaTrainingModule>(config, device);
    m_module->initRandom(m_options.seed);
    if (m_options.initFromModel) {
        const auto weights = loadTransformerWeights(m_options.modelDir, model, at::kCPU, at::kFloat, {});
        m_module->initQkFromModel(weights.blocks[static_cast<size_t>(m_options.layer)], model);
    }
    m_adam = std::make_unique<AdamState>(m_module->parameters(), m_options.adamBeta1, m_options.adamBeta2);
    m_tokensSinceFired = at::zeros({config.nOvHeads}, at::TensorOptions().dtype(at::kLong).device(device));
    writeFileAtomically(m_options.outDir / kTrainingLogFile, "step,tokens,loss,fvu,l0,dead_heads,lr,k\n");
}

LorsaTrainer::~LorsaTrainer() = default;

const LorsaConfig& LorsaTrainer::lorsaConfig() const
{
    return m_module->config();
}

NamedTensors LorsaTrainer::parameters() const
{
    return m_module->parameters();
}

std::string LorsaTrainer::fingerprint() const
{
    const auto& o = m_options;
    std::ostringstream s;
    s << "model=" << m_engine->model().config().name << " layer=" << o.layer << " n_ov=" << o.nOvHeads << " expansion=" << o.expansionFactor
      << " n_qk=" << o.nQkHeads << " d_qk=" << o.dQkHead << " k=" << o.topK << " start_k=" << o.startK << " k_warmup=" << o.kWarmupTokens
      << " context=" << o.contextLength << " batch=" << o.batchTokens << " buffer=" << o.bufferRows << " seed=" << o.seed
      << " corpus_files=" << o.corpus.size();
    return s.str();
}

std::pair<at::Tensor, at::Tensor> LorsaTrainer::activations(const at::Tensor& tokens) const
{
    const auto in = blockHook(m_options.layer, "ln1.hook_normalized");
    const auto out = blockHook(m_options.layer, "hook_attn_out");
    RunRequest request;
    request.modelHooks.names = {in, out};
    const auto result = m_engine->run(tokens, request);
    // Cloned outside inference mode so that autograd may save them.
    return {result.cache.at(in).to(at::kFloat).clone(),
            m_engine->reconstructionTarget(result.cache.at(out), LorsaInputMode::Normalized).to(at::kFloat).clone()};
}

at::Tensor LorsaTrainer::reconstruct(const at::Tensor& x) const
{
    c10::NoGradGuard noGrad;
    const auto& c = m_module->config();
    const double root = std::sqrt(static_cast<double>(c.dModel));
    const auto forward = m_module->forward(x.to(at::kFloat) * (root / *c.averageNormIn), topKAt(m_tokens, m_options));
    return forward.reconstructed / (root / *c.averageNormOut);
}

double LorsaTrainer::stepOnce()
{
    const auto started = std::chrono::steady_clock::now();
    const auto& c = m_module->config();
    const double root = std::sqrt(static_cast<double>(c.dModel));
    const auto tokens = rowsTensor(m_data->next(m_plan.rowsPerBatch));
    auto [x, y] = activations(tokens);
    x = x * (root / *c.averageNormIn);
    y = y * (root / *c.averageNormOut);
    const int64_t k = topKAt(m_tokens, m_options);
    const double lr = learningRateAt(m_step, m_plan, m_options);
    const auto parameters = m_module->parameters();
    for (auto& [name, p] : parameters)
        if (p.grad().defined())
            p.mutable_grad().zero_();
    LorsaTrainingForward forward;
    at::Tensor loss;
    {
        AutocastScope autocast(x.is_cuda() && (m_options.dtype == "bfloat16" || m_options.dtype == "bf16"));
        forward = m_module->forward(x, k);
        loss = (forward.reconstructed.to(at::kFloat) - y).pow(2).sum(-1).mean();
    }
    loss.backward();
    clipGradientNorm(parameters, m_options.clipGradNorm);
    m_adam->step(parameters, lr);

    c10::NoGradGuard noGrad;
    const double lossValue = loss.item<double>();
    if (!std::isfinite(lossValue))
        throw Error(ErrorKind::InvalidInput, "lorsa train: the loss became " + std::to_string(lossValue) + " at step " + std::to_string(m_step) +
                                                 "; lower --lr");
    const auto flatY = y.reshape({-1, c.dModel}).to(at::kDouble);
    const auto flatR = forward.reconstructed.detach().reshape({-1, c.dModel}).to(at::kDouble);
    const double variance = (flatY - flatY.mean(0, true)).pow(2).sum().item<double>();
    const auto active = forward.featureActs.detach().ne(0);  // [B,T,n_ov]
    const int64_t batchTokens = tokens.numel();
    m_tokensSinceFired.add_(batchTokens);
    m_tokensSinceFired.masked_fill_(active.reshape({-1, c.nOvHeads}).any(0), 0);
    ++m_step;
    m_tokens += batchTokens;
    m_elapsed += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    LorsaTrainingProgress& p = m_last;
    p.step = m_step;
    p.totalSteps = m_plan.totalSteps;
    p.tokens = m_tokens;
    p.totalTokens = m_plan.totalSteps * m_options.batchTokens;
    p.loss = lossValue;
    p.fvu = variance > 0 ? (flatY - flatR).pow(2).sum().item<double>() / variance : 0.0;
    p.l0 = active.sum(-1).to(at::kDouble).mean().item<double>();
    p.deadHeads = m_tokensSinceFired.ge(m_options.deadWindowTokens).sum().item<int64_t>();
    p.lr = lr;
    p.k = k;
    p.elapsedSeconds = m_elapsed;
    p.tokensPerSecond = m_elapsed > 0 ? static_cast<double>(m_tokens) / m_elapsed : 0.0;
    if (m_step % m_options.logEverySteps == 0 || m_step == m_plan.totalSteps)
        appendLog(p);
    if (m_hooks.progress)
        m_hooks.progress(p);
    return lossValue;
}

void LorsaTrainer::appendLog(const LorsaTrainingProgress& p)
{
    std::ofstream log(m_options.outDir / kTrainingLogFile, std::ios::app);
    char line[256];
    std::snprintf(line, sizeof line, "%lld,%lld,%.8g,%.6g,%.4g,%lld,%.6g,%lld\n", static_cast<long long>(p.step), static_cast<long long>(p.tokens),
                  p.loss, p.fvu, p.l0, static_cast<long long>(p.deadHeads), p.lr, static_cast<long long>(p.k));
    log << line;
    if (!log)
        throw Error(ErrorKind::InvalidFile, (m_options.outDir / kTrainingLogFile).string() + ": cannot append to the training log");
}

std::vector<double> LorsaTrainer::trainSteps(int64_t steps)
{
    std::vector<double> losses;
    for (int64_t i = 0; i < steps; ++i)
        losses.push_back(stepOnce());
    return losses;
}

void LorsaTrainer::save()
{
    LorsaTrainingState state;
    state.step = m_step;
    state.tokens = m_tokens;
    const auto& c = m_module->config();
    state.normIn = *c.averageNormIn;
    state.normOut = *c.averageNormOut;
    state.parameters = m_module->parameters();
    state.moments = m_adam->moments();
    state.adamSteps = m_adam->steps();
    state.tokensSinceFired = m_tokensSinceFired.to(at::kCPU);
    state.data = m_data->state();
    state.fingerprint = fingerprint();
    saveTrainingState(m_options.outDir, state, m_hooks.writer);

    auto config = c;
    config.topK = topKAt(m_tokens, m_options);
    const auto centred = m_engine->model().config().norm == NormKind::LayerNorm;
    const std::map<std::string, std::string> metadata = {
        {"lorsa_input", "normalized"},
        {"target", centred ? "centred attn_out" : "attn_out"},
        {"trained_by", "lorsa train"},
        {"model", m_engine->model().config().name},
        {"training_tokens", std::to_string(m_tokens)},
    };
    writeLorsaFolder(m_options.outDir, config, state.parameters, metadata, m_hooks.writer);
}

LorsaTrainingResult LorsaTrainer::run()
{
    LorsaTrainingResult result;
    const int64_t every = m_options.checkpointEveryTokens;
    while (m_step < m_plan.totalSteps) {
        const int64_t before = m_tokens;
        result.losses.push_back(stepOnce());
        if (m_hooks.stopRequested && m_hooks.stopRequested()) {
            save();
            throw Error(ErrorKind::Cancelled, "training interrupted at step " + std::to_string(m_step) + "; checkpoint saved in " +
                                                  m_options.outDir.string() + " (continue with --resume)");
        }
        if (every > 0 && before / every != m_tokens / every && m_step < m_plan.totalSteps)
            save();
    }
    save();
    result.steps = m_step;
    result.tokens = m_tokens;
    result.tokensPerSecond = m_last.tokensPerSecond;
    if (!m_options.heldout.empty()) {
        result.evaluation = evaluate();
        const auto& e = *result.evaluation;
        const nlohmann::ordered_json json = {{"heldout_tokens", e.tokens}, {"fvu", e.fvu},          {"l0", e.l0},
                                             {"clean_loss", e.cleanLoss}, {"spliced_loss", e.splicedLoss},
                                             {"loss_increase", e.splicedLoss - e.cleanLoss}};
        writeFileAtomically(m_options.outDir / kEvaluationFile, json.dump(2) + "\n");
    }
    return result;
}

LorsaEvaluation LorsaTrainer::evaluate() const
{
    EngineOptions options;
    options.modelDir = m_options.modelDir;
    options.lorsaDir = m_options.outDir;
    options.device = m_options.device;
    options.threads = m_options.threads;
    options.lorsaInput = LorsaInputMode::Normalized;
    const Engine engine(options);
    const auto& model = engine.model().config();
    LorsaTrainingDataOptions data;
    data.files = m_options.heldout;
    data.rowLength = m_options.contextLength;
    data.bos = bosTokenFor(engine.tokenizer(), model.bosTokenId);
    data.separator = model.eosTokenIds.empty() ? data.bos : std::optional<int64_t>(model.eosTokenIds.front());
    data.bufferRows = 0;
    data.loop = false;
    data.vocabSize = model.vocabSize;
    LorsaTrainingData rows(engine.tokenizer(), data);

    const auto out = blockHook(m_options.layer, "hook_attn_out");
    LorsaEvaluation e;
    double residual = 0, l0 = 0, clean = 0, spliced = 0, lossPositions = 0;
    at::Tensor sum, sumSquares;  // [d] float64
    while (e.tokens < m_options.evalTokens) {
        const auto batch = rows.next(m_plan.rowsPerBatch);
        if (batch.empty())
            break;
        const auto tokens = rowsTensor(batch);
        RunRequest request;
        request.modelHooks.names = {out};
        request.fidelity = true;
        const auto result = engine.run(tokens, request);
        const auto y = engine.reconstructionTarget(result.cache.at(out), LorsaInputMode::Normalized).reshape({-1, model.dModel}).to(at::kDouble);
        const auto r = result.lorsa->reconstructed.reshape({-1, model.dModel}).to(at::kDouble);
        residual += (y - r).pow(2).sum().item<double>();
        sum = sum.defined() ? sum + y.sum(0) : y.sum(0);
        sumSquares = sumSquares.defined() ? sumSquares + y.pow(2).sum(0) : y.pow(2).sum(0);
        const auto n = tokens.numel();
        const double positions = static_cast<double>(tokens.size(0) * (tokens.size(1) - 1));
        l0 += result.fidelity->meanL0 * static_cast<double>(n);
        clean += result.fidelity->cleanLoss * positions;
        spliced += result.fidelity->splicedLoss * positions;
        lossPositions += positions;
        e.tokens += n;
    }
    if (e.tokens == 0)
        throw Error(ErrorKind::InvalidInput, "lorsa train: the held-out text does not fill one row of " + std::to_string(m_options.contextLength) +
                                                 " tokens");
    const double count = static_cast<double>(e.tokens);
    const double variance = (sumSquares - sum.pow(2) / count).sum().item<double>();
    e.fvu = variance > 0 ? residual / variance : 0.0;
    e.l0 = l0 / count;
    e.cleanLoss = clean / lossPositions;
    e.splicedLoss = spliced / lossPositions;
    return e;
}

} // namespace lorsa
