#include "model/engine/explorer_session.h"

#include "model/core/compute_device.h"
#include "model/core/error.h"
#include "model/core/fingerprint.h"
#include "model/engine/engine.h"
#include "model/engine/head_attribution.h"
#include "model/engine/head_scores.h"
#include "model/engine/prompt_runner.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>

namespace lorsa {
namespace {

FloatMatrix toMatrix(const at::Tensor& tensor) // [rows, cols]
{
    const auto values = tensor.detach().to(at::kCPU, at::kFloat).contiguous();
    FloatMatrix matrix;
    matrix.rows = values.size(0);
    matrix.cols = values.size(1);
    matrix.values.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
    return matrix;
}

std::vector<float> toVector(const at::Tensor& tensor)
{
    const auto values = tensor.detach().to(at::kCPU, at::kFloat).contiguous().reshape({-1});
    return std::vector<float>(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
}

/// New heads whose token attributions one analysis computes (see analyze()).
constexpr int64_t kAttributionBudget = 64;

void checkIndex(int64_t value, int64_t count, const std::string& what)
{
    if (value < 0 || value >= count)
        throw Error(ErrorKind::InvalidInput, what + " " + std::to_string(value) + " does not exist (valid: 0.." + std::to_string(count - 1) + ")");
}

/// Per token, the heads with a nonzero activation, strongest first. acts: [T,n_ov] float32 CPU.
/// acts [T,n_ov] float CPU, norms [n_ov] |w_o^i|: each token's active heads, strongest first,
/// with their shares of the token's reconstruction.
std::vector<std::vector<HeadActivation>> activeHeadsByToken(const at::Tensor& acts, const at::Tensor& norms)
{
    const int64_t tokens = acts.size(0), heads = acts.size(1);
    std::vector<std::vector<HeadActivation>> active(static_cast<size_t>(tokens));
    const float* row = acts.data_ptr<float>();
    const float* norm = norms.data_ptr<float>();
    for (auto& list : active) {
        double total = 0;
        for (int32_t head = 0; head < heads; ++head)
            if (row[head] != 0) {
                list.push_back({head, row[head], 0.0f});
                total += std::abs(double(row[head])) * norm[head];
            }
        for (HeadActivation& h : list)
            h.share = total > 0 ? static_cast<float>(std::abs(double(h.activation)) * norm[h.head] / total) : 0.0f;
        std::stable_sort(list.begin(), list.end(), [](const HeadActivation& a, const HeadActivation& b) { return a.activation > b.activation; });
        row += heads;
    }
    return active;
}

/// One Lorsa head on one sequence, as headDetail() and contextPattern() report it: the rule is
/// written once here. lorsaInput: [1,T,d]; featureActs: [1,T,n_ov]. \p stopIfCancelled is called
/// between the stages.
struct HeadPatterns {
    int32_t qkHead = 0;
    std::vector<float> activation;   // (T)
    at::Tensor pattern;              // [T,T] float32 CPU, for comparisons with MHSA patterns
    FloatMatrix lorsaPattern;        // (T,T)
    FloatMatrix zPattern;            // (T,T)
};

HeadPatterns headPatterns(const LorsaLayer& sae, const at::Tensor& lorsaInput, const at::Tensor& featureActs, int32_t lorsaHead,
                          const std::function<void()>& stopIfCancelled)
{
    HeadPatterns result;
    result.qkHead = static_cast<int32_t>(sae.qkHeadOf(lorsaHead));
    result.activation = toVector(featureActs.select(0, 0).select(1, lorsaHead));
    result.pattern = sae.patterns(lorsaInput, {result.qkHead}).select(0, 0).select(0, 0).to(at::kCPU, at::kFloat);
    result.lorsaPattern = toMatrix(result.pattern);
    stopIfCancelled();
    // z[q,k] = A[q,k] v[k]: the pattern just computed, weighted by the head's values.
    const auto values = sae.headValues(lorsaInput, {lorsaHead}).select(0, 0).select(1, 0).to(at::kCPU, at::kFloat);  // [T]
    result.zPattern = toMatrix(result.pattern * values.unsqueeze(0));
    stopIfCancelled();
    return result;
}

std::vector<TokenInfo> tokenInfos(const Engine& engine, const PromptTokens& prompt)
{
    std::vector<TokenInfo> tokens;
    for (size_t i = 0; i < prompt.ids.size(); ++i)
        tokens.push_back({prompt.ids[i], engine.tokenizer().tokenText(prompt.ids[i]), prompt.byteSpans[i].first, prompt.byteSpans[i].second});
    return tokens;
}

} // namespace

struct ExplorerSession::State {
    std::unique_ptr<Engine> engine;
    SessionInfo info;
    std::filesystem::path modelDir;
    std::filesystem::path lorsaRoot;            // what the user opened: a Lorsa folder or a set
    std::optional<LorsaInputMode> inputOverride;
    /// Runs the prompts and keeps the last one for head queries.
    std::unique_ptr<PromptRunner> runner;
    std::unique_ptr<HeadAttribution> attribution;
    PromptAnalysisPtr lastAnalysis;             // of runner->last(), what reselect() may refer to
    SessionConstantsPtr constants;              // shared by every analysis until the Lorsa changes

    const PromptRun& prompt() const { return runner->last(); }
    void requirePrompt() const
    {
        if (!prompt().tokens.defined())
            throw Error(ErrorKind::InvalidInput, "no prompt has been analysed yet");
    }
    void requireLorsa() const
    {
        if (!engine->lorsa())
            throw Error(ErrorKind::InvalidInput, "no Lorsa is loaded");
    }
    /// Fills info and the token attributions for the engine's current Lorsa.
    void describeLorsa(const CancelCheck& cancelled);
    /// Without a Lorsa: info for showing the MHSA attention of \p layer.
    void describeModelLayer(int32_t layer, const CancelCheck& cancelled);
    /// constants, from info and the engine's current Lorsa.
    void buildConstants();
};

ExplorerSession::ExplorerSession()
    : m_state(std::make_unique<State>())
{
}

ExplorerSession::~ExplorerSession() = default;

std::unique_ptr<ExplorerSession> ExplorerSession::open(const EngineOptions& options, const CancelCheck& cancelled)
{
    EngineOptions engineOptions = options;
    // The set is listed once: it gives the default choice below and SessionInfo::lorsaOffers.
    const auto lorsaSet = options.lorsaDir.empty() ? std::vector<LorsaSetEntry>() : listLorsaSet(options.lorsaDir);
    // A window opens a whole set without asking first: it starts on the set's first Lorsa (the
    // smallest variant, the lowest layer) and offers the others (SessionInfo::lorsaOffers).
    const auto& choice = options.lorsaChoice;
    if (!options.lorsaDir.empty() && !choice.layer && !isLorsaFolder(options.lorsaDir))
        for (const auto& entry : lorsaSet)
            if (entry.problem.empty() && (choice.variant.empty() || entry.variant == choice.variant)) {
                engineOptions.lorsaChoice.layer = entry.layer;
                engineOptions.lorsaChoice.variant = entry.variant;
                break;
            }
    engineOptions.progress = [&](double fraction, const std::string& stage) {
        if (cancelled && cancelled())
            throw Error(ErrorKind::Cancelled, "loading was cancelled");
        if (options.progress)
            options.progress(fraction, stage);
    };
    std::unique_ptr<ExplorerSession> session(new ExplorerSession());
    auto& state = *session->m_state;
    state.engine = std::make_unique<Engine>(engineOptions);
    state.lorsaRoot = options.lorsaDir;
    state.modelDir = options.modelDir;
    state.inputOverride = engineOptions.lorsaInput;
    const auto& engine = *state.engine;
    const auto& config = engine.model().config();
    auto& info = state.info;
    info.modelName = config.name;
    info.device = engine.device().str();
    info.dtype = dtypeName(engine.dtype());
    info.nLayers = static_cast<int32_t>(config.nLayers);
    info.nMhsaHeads = static_cast<int32_t>(config.nHeads);
    info.maxTokens = engine.maxTokens();
    if (const auto bos = bosTokenFor(engine.tokenizer(), config.bosTokenId))
        info.bosToken = engine.tokenizer().tokenText(*bos);
    state.runner = std::make_unique<PromptRunner>(engine, engine.lorsa() ? engine.lorsa()->config().layer : 0);
    if (options.progress)
        options.progress(1.0, "scoring heads");
    if (engine.lorsa()) {
        for (const auto& entry : lorsaSet)
            if (entry.problem.empty())
                info.lorsaOffers.push_back({static_cast<int32_t>(entry.layer), entry.variant, entry.dir.string()});
        state.describeLorsa(cancelled);
    } else {
        state.describeModelLayer(0, cancelled);
    }
    state.buildConstants();
    return session;
}

void ExplorerSession::State::buildConstants()
{
    auto shared = std::make_shared<SessionConstants>();
    shared->modelName = info.modelName;
    shared->lorsaName = info.lorsaName;
    shared->modelPath = modelDir.string();
    shared->modelConfigHash = configFingerprint(modelDir);
    if (engine->lorsa()) {
        shared->lorsaPath = engine->lorsaDir().string();
        shared->lorsaConfigHash = configFingerprint(engine->lorsaDir());
    }
    shared->layer = info.layer;
    shared->nMhsaHeads = info.nMhsaHeads;
    shared->nQkHeads = info.nQkHeads;
    shared->nOvHeads = info.nOvHeads;
    for (const auto& score : info.headScores)
        (score.kind == "lorsa_qk" ? shared->qkHeadScores : shared->mhsaHeadScores).push_back(score);
    if (const auto* sae = engine->lorsa()) {
        shared->qkHeadOfOv.resize(static_cast<size_t>(info.nOvHeads));
        for (int32_t head = 0; head < info.nOvHeads; ++head)
            shared->qkHeadOfOv[static_cast<size_t>(head)] = static_cast<int32_t>(sae->qkHeadOf(head));
        shared->decoderNorms = toVector(attribution->decoderNorms());
    }
    constants = std::move(shared);
}

void ExplorerSession::State::describeLorsa(const CancelCheck& cancelled)
{
    const auto& sae = *engine->lorsa();
    info.lorsaName = sae.config().name;
    info.lorsaPath = engine->lorsaDir().string();
    info.lorsaVariant.clear();
    for (const auto& offer : info.lorsaOffers)
        if (offer.path == info.lorsaPath)
            info.lorsaVariant = offer.variant;
    info.layer = static_cast<int32_t>(sae.config().layer);
    info.nQkHeads = static_cast<int32_t>(sae.config().nQkHeads);
    info.nOvHeads = static_cast<int32_t>(sae.config().nOvHeads);
    info.inputMode = engine->inputMode().summary();
    info.maxTokens = engine->maxTokens();
    attribution = std::make_unique<HeadAttribution>(*engine);
    info.headScores = computeHeadScores(*engine, sae.config().layer, cancelled);
}

void ExplorerSession::State::describeModelLayer(int32_t layer, const CancelCheck& cancelled)
{
    auto scores = computeHeadScores(*engine, layer, cancelled);
    info.layer = layer;
    info.headScores = std::move(scores);
}

const SessionInfo& ExplorerSession::switchLayer(int32_t layer, const std::string& variant, const CancelCheck& cancelled)
{
    auto& state = *m_state;
    if (!state.engine->lorsa()) {
        checkIndex(layer, state.info.nLayers, "layer");
        if (layer == state.info.layer)
            return state.info;
        c10::InferenceMode guard;
        state.describeModelLayer(layer, cancelled);
        state.buildConstants();
        state.runner->changeLayer(layer);
        state.lastAnalysis.reset();
        return state.info;
    }
    LorsaChoice choice;
    choice.layer = layer;
    choice.variant = variant;
    const auto dir = chooseLorsa(state.lorsaRoot, choice);
    if (dir == state.engine->lorsaDir())
        return state.info;
    c10::InferenceMode guard;
    const auto before = state.info;
    state.engine->replaceLorsa(dir, state.inputOverride);
    try {
        state.describeLorsa(cancelled);
    } catch (...) {
        // Head scores were cancelled or failed: the Lorsa is loaded, but the session must not
        // describe the old one, so it goes back to it.
        state.engine->replaceLorsa(before.lorsaPath, state.inputOverride);
        state.info = before;
        state.attribution = std::make_unique<HeadAttribution>(*state.engine);
        state.buildConstants();
        throw;
    }
    state.buildConstants();
    state.runner->changeLayer(state.engine->lorsa()->config().layer);
    state.lastAnalysis.reset();  // its Lorsa side was the old layer's
    return state.info;
}

const SessionInfo& ExplorerSession::info() const
{
    return m_state->info;
}

const Engine& ExplorerSession::engine() const
{
    return *m_state->engine;
}

std::filesystem::path ExplorerSession::modelDir() const
{
    return m_state->modelDir;
}

std::filesystem::path ExplorerSession::lorsaDir() const
{
    return m_state->engine->lorsa() ? m_state->engine->lorsaDir() : std::filesystem::path();
}

void ExplorerSession::setPrefixReuse(bool reuse)
{
    m_state->runner->setPrefixReuse(reuse);
}

std::vector<TokenInfo> ExplorerSession::tokenize(const std::string& text, bool prependBos) const
{
    const auto& engine = *m_state->engine;
    return tokenInfos(engine, engine.encodeText(text, prependBos));
}

PromptAnalysisPtr ExplorerSession::analyze(const std::string& text, bool prependBos, uint64_t generation, const CancelCheck& cancelled)
{
    auto& state = *m_state;
    const auto& engine = *state.engine;
    const auto start = std::chrono::steady_clock::now();
    c10::InferenceMode guard;
    // From here the runner may hold another prompt than the last analysis described.
    state.lastAnalysis.reset();
    const auto prompt = engine.encodePrompt(text, prependBos);
    const auto& run = state.runner->run(prompt.ids, cancelled);

    auto analysis = std::make_shared<PromptAnalysis>();
    analysis->generation = generation;
    analysis->session = state.constants;
    analysis->promptText = text;
    analysis->tokens = tokenInfos(engine, prompt);
    analysis->reusedTokens = run.reusedPositions;
    analysis->truncatedFrom = prompt.truncatedFrom;

    if (engine.lorsa()) {
        const auto acts = run.featureActs.select(0, 0).to(at::kCPU, at::kFloat).contiguous();  // [T,n_ov]
        const auto norms = state.attribution->decoderNorms();                                  // [n_ov] CPU float
        analysis->activeCount = toVector((acts != 0).sum(1));
        analysis->active = activeHeadsByToken(acts, norms.contiguous());
        // Token attributions cost a [d,V] product per head: compute the strongest heads of this
        // prompt that are not cached yet, within a budget, so typing stays interactive; the rest
        // fill in as later prompts (or head selections) reach them.
        const auto [peaks, strongest] = acts.abs().amax(0).topk(std::min<int64_t>(acts.size(1), kAttributionBudget));
        std::vector<int64_t> wanted;
        for (int64_t j = 0; j < strongest.numel(); ++j)
            if (peaks.data_ptr<float>()[j] > 0)
                wanted.push_back(strongest.data_ptr<int64_t>()[j]);
        state.attribution->prepare(wanted);
        analysis->headPromotedTokens.resize(static_cast<size_t>(state.info.nOvHeads));
        analysis->headValueTokens.resize(static_cast<size_t>(state.info.nOvHeads));
        analysis->headSuppressedTokens.resize(static_cast<size_t>(state.info.nOvHeads));
        for (int64_t head = 0; head < state.info.nOvHeads; ++head) {
            if (!state.attribution->isCached(head))
                continue;
            const auto& attributed = state.attribution->tokensOf(head);
            analysis->headPromotedTokens[static_cast<size_t>(head)] = attributed.promoted;
            analysis->headValueTokens[static_cast<size_t>(head)] = attributed.value;
            analysis->headSuppressedTokens[static_cast<size_t>(head)] = attributed.suppressed;
        }
        analysis->fidelity = *run.fidelity;
    }
    analysis->analysisMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    state.lastAnalysis = analysis;
    return analysis;
}

ExplorerResultPtr ExplorerSession::explore(const std::string& text, bool prependBos, const SelectionIntent& intent, uint64_t generation,
                                           const CancelCheck& cancelled)
{
    auto result = std::make_shared<ExplorerResult>();
    result->generation = generation;
    result->analysis = analyze(text, prependBos, generation, cancelled);
    result->selection = resolveSelection(*result->analysis, intent);
    result->detail = headDetail(result->selection.lorsaHead, result->selection.mhsaHead, result->selection.queryToken, generation,
                                cancelled);
    return result;
}

ExplorerResultPtr ExplorerSession::reselect(const ExplorerResultPtr& current, const Selection& selection, uint64_t generation,
                                            const CancelCheck& cancelled)
{
    if (!current || !current->analysis || current->analysis != m_state->lastAnalysis)
        throw Error(ErrorKind::InvalidInput, "the selection refers to a prompt the session no longer holds");
    auto result = std::make_shared<ExplorerResult>();
    result->generation = generation;
    result->analysis = current->analysis;
    result->selection = selection;
    result->detail = headDetail(selection.lorsaHead, selection.mhsaHead, selection.queryToken, generation, cancelled);
    return result;
}

HeadDetailPtr ExplorerSession::headDetail(int32_t lorsaHead, std::optional<int32_t> mhsaHead, int32_t queryToken, uint64_t generation,
                                          const CancelCheck& cancelled)
{
    const auto stopIfCancelled = [&] {
        if (cancelled && cancelled())
            throw Error(ErrorKind::Cancelled, "head detail superseded");
    };
    auto& state = *m_state;
    state.requirePrompt();
    const auto& run = state.prompt();
    const auto tokenCount = run.tokens.size(1);
    checkIndex(queryToken, tokenCount, "token");
    if (mhsaHead)
        checkIndex(*mhsaHead, state.info.nMhsaHeads, "MHSA head");
    c10::InferenceMode guard;

    auto detail = std::make_shared<HeadDetail>();
    detail->generation = generation;
    detail->queryToken = queryToken;
    if (!state.engine->lorsa()) {
        detail->mhsaHead = mhsaHead.value_or(0);
        detail->mhsaPattern = toMatrix(run.attentionPattern.select(0, detail->mhsaHead));
        return detail;
    }
    const auto& sae = *state.engine->lorsa();
    checkIndex(lorsaHead, sae.config().nOvHeads, "Lorsa head");
    detail->lorsaHead = lorsaHead;
    auto head = headPatterns(sae, run.lorsaInput, run.featureActs, lorsaHead, stopIfCancelled);
    detail->qkHead = head.qkHead;
    detail->headActivation = std::move(head.activation);
    detail->lorsaPattern = std::move(head.lorsaPattern);
    detail->zPattern = std::move(head.zPattern);
    const auto distances = meanJensenShannonDistance(head.pattern, run.attentionPattern);
    detail->mhsaSimilarity = toVector(distances);
    detail->mhsaHead = mhsaHead ? *mhsaHead : static_cast<int32_t>(distances.argmin().item<int64_t>());
    detail->mhsaPattern = toMatrix(run.attentionPattern.select(0, detail->mhsaHead));
    const auto& tokens = state.attribution->tokensOf(lorsaHead);
    detail->promotedTokens = tokens.promoted;
    detail->suppressedTokens = tokens.suppressed;
    detail->valueTokens = tokens.value;
    return detail;
}

ContextPatternPtr ExplorerSession::contextPattern(const std::vector<int64_t>& tokens, int32_t lorsaHead, uint64_t generation,
                                                  const CancelCheck& cancelled)
{
    const auto stopIfCancelled = [&] {
        if (cancelled && cancelled())
            throw Error(ErrorKind::Cancelled, "context pattern superseded");
    };
    auto& state = *m_state;
    state.requireLorsa();
    const auto& engine = *state.engine;
    const auto& sae = *engine.lorsa();
    checkIndex(lorsaHead, sae.config().nOvHeads, "Lorsa head");
    if (tokens.empty())
        throw Error(ErrorKind::InvalidInput, "the context has no tokens");
    const auto limit = engine.maxTokens();
    if (static_cast<int64_t>(tokens.size()) > limit)
        throw Error(ErrorKind::InvalidInput, "the context has " + std::to_string(tokens.size()) + " tokens; the model and Lorsa accept at most " +
                                                 std::to_string(limit));
    const auto vocabSize = engine.model().config().vocabSize;
    for (size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i] < 0 || tokens[i] >= vocabSize)
            throw Error(ErrorKind::InvalidInput, "token id " + std::to_string(tokens[i]) + " at position " + std::to_string(i) +
                                                     " is outside the model's vocabulary of " + std::to_string(vocabSize));
    c10::InferenceMode guard;

    // A run of its own (up to the Lorsa's layer): the runner and its last prompt stay untouched.
    RunRequest request;
    request.lorsa = true;
    request.cancelled = cancelled;
    const auto run = engine.run(at::tensor(tokens, at::kLong).unsqueeze(0), request);  // [1,T]
    stopIfCancelled();
    auto head = headPatterns(sae, run.lorsaInput, run.lorsa->featureActs, lorsaHead, stopIfCancelled);

    auto result = std::make_shared<ContextPattern>();
    result->generation = generation;
    result->lorsaHead = lorsaHead;
    result->qkHead = head.qkHead;
    result->tokens = tokens;
    result->headActivation = std::move(head.activation);
    result->pattern = std::move(head.lorsaPattern);
    result->zPattern = std::move(head.zPattern);
    return result;
}

InterventionResultPtr ExplorerSession::intervene(const std::map<int32_t, float>& headScales, int32_t queryToken,
                                                 uint64_t generation, int topTokens, const CancelCheck& cancelled)
{
    auto& state = *m_state;
    state.requirePrompt();
    state.requireLorsa();
    const auto& engine = *state.engine;
    const auto& run = state.prompt();
    checkIndex(queryToken, run.tokens.size(1), "token");
    for (const auto& [head, scale] : headScales)
        checkIndex(head, engine.lorsa()->config().nOvHeads, "Lorsa head");
    c10::InferenceMode guard;

    auto modified = run.reconstructed.clone();
    if (!headScales.empty()) {
        std::vector<int64_t> heads;
        std::vector<float> deltas;
        for (const auto& [head, scale] : headScales) {
            heads.push_back(head);
            deltas.push_back(scale - 1.0f);
        }
        const auto index = at::tensor(heads, at::kLong).to(engine.device());
        const auto delta = at::tensor(deltas, at::kFloat).to(engine.device(), modified.scalar_type());
        const auto acts = run.featureActs.index_select(-1, index) * delta;                 // [1,T,n]
        const auto outputs = engine.lorsa()->outputWeights().index_select(0, index);        // [n,d]
        modified = modified + at::matmul(acts, outputs.to(modified.scalar_type()));
    }
    // An undefined replacement: the clean model.
    auto probabilitiesWith = [&](const at::Tensor& replacement) {
        // The blocks before the Lorsa's see no difference: start at its block.
        ForwardOptions forward;
        forward.cancelled = cancelled;
        forward.resumeFrom = ResumePoint{engine.lorsa()->config().layer, run.residualPre};
        ActivationCache unused;
        const auto logits = replacement.defined() ? engine.splicedForward(run.tokens, replacement, forward)
                                                  : engine.model().forward(run.tokens, unused, forward);
        return at::softmax(logits.select(0, 0).select(0, queryToken).to(at::kFloat), -1).to(at::kCPU);
    };
    const auto baseline = probabilitiesWith(run.reconstructed);
    const auto intervened = probabilitiesWith(modified);
    const auto clean = probabilitiesWith({});

    auto result = std::make_shared<InterventionResult>();
    result->generation = generation;
    result->queryToken = queryToken;
    result->headScales = headScales;
    const auto vocab = std::min<int64_t>(baseline.size(0), engine.tokenizer().vocabSize());
    const auto k = std::min<int64_t>(topTokens, vocab);
    const auto top = std::get<1>(baseline.narrow(0, 0, vocab).topk(k));
    auto scoreOf = [&](int64_t id, float score) { return TokenScore{id, engine.tokenizer().tokenText(id), score}; };
    for (int64_t j = 0; j < k; ++j) {
        const auto id = top[j].item<int64_t>();
        result->baseline.push_back(scoreOf(id, baseline[id].item<float>()));
        result->clean.push_back(scoreOf(id, clean[id].item<float>()));
        result->intervened.push_back(scoreOf(id, intervened[id].item<float>()));
    }
    const auto change = (intervened - baseline).narrow(0, 0, vocab);
    const auto biggest = std::get<1>(change.abs().topk(k));
    for (int64_t j = 0; j < k; ++j) {
        const auto id = biggest[j].item<int64_t>();
        result->biggestChanges.push_back(scoreOf(id, change[id].item<float>()));
    }
    return result;
}

} // namespace lorsa
