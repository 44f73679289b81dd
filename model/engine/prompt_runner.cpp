#include "model/engine/prompt_runner.h"

#include "model/engine/engine.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>

namespace lorsa {
namespace {

/// Appends \p rows along dimension \p dim to the first \p kept entries of \p carried.
at::Tensor appended(const at::Tensor& carried, int64_t kept, const at::Tensor& rows, int64_t dim)
{
    if (kept == 0 || !carried.defined())
        return rows;
    return at::cat({carried.narrow(dim, 0, kept), rows}, dim);
}

/// -log p(next token) at each of \p logits' positions that has a next token in \p ids: the
/// positions run are first..first+T-1, their next tokens ids[first+1..].
at::Tensor nllOfRun(const at::Tensor& logits, const std::vector<int64_t>& ids, int64_t first)
{
    const int64_t scored = std::min<int64_t>(logits.size(1), static_cast<int64_t>(ids.size()) - 1 - first);
    if (scored <= 0)
        return at::empty({0}, at::TensorOptions().dtype(at::kDouble));
    const std::vector<int64_t> next(ids.begin() + first + 1, ids.begin() + first + 1 + scored);
    return nextTokenNll(logits.select(0, 0).narrow(0, 0, scored), at::tensor(next, at::kLong));
}

double meanOf(const at::Tensor& values)
{
    return values.numel() > 0 ? values.mean().item<double>() : 0.0;
}

} // namespace

PromptRunner::PromptRunner(const Engine& engine, int64_t patternLayer)
    : m_engine(engine), m_patternLayer(patternLayer)
{
}

void PromptRunner::truncate(int64_t positions)
{
    m_clean.truncate(positions);
    m_spliced.truncate(positions);
    m_lorsa.truncate(positions);
    m_validIds.resize(std::min<size_t>(m_validIds.size(), static_cast<size_t>(positions)));
}

void PromptRunner::changeLayer(int64_t layer)
{
    if (!m_previousLayer)
        m_previousLayer = m_patternLayer;
    m_patternLayer = layer;
    // Everything the Lorsa or the spliced run produced belongs to the old layer.
    m_lorsa = LorsaKeyValueCache();
    m_spliced = KeyValueCache();
    m_splicedNll = at::Tensor();
}

void PromptRunner::recomputePrefix(const std::vector<int64_t>& ids, int64_t positions, const std::function<bool()>& cancelled)
{
    const auto& engine = m_engine;
    const auto* sae = engine.lorsa();
    const int64_t layer = m_patternLayer, previous = *m_previousLayer;
    const auto prefix = at::tensor(std::vector<int64_t>(ids.begin(), ids.begin() + positions), at::kLong).unsqueeze(0).to(engine.device());
    const auto patternHook = blockHook(layer, "attn.hook_pattern");
    const auto residualHook = blockHook(layer, "hook_resid_pre");
    ForwardOptions clean;
    clean.cancelled = cancelled;
    clean.lastLayer = layer;
    clean.capture.names = {patternHook, residualHook};
    if (sae)
        clean.capture.names.insert({engine.lorsaInHook(), engine.lorsaOutHook()});
    // Blocks below the lower layer gave the residual kept at the old layer: start there if it is
    // not above the new one.
    if (layer >= previous && m_run.residualPre.defined() && m_run.residualPre.size(1) >= positions)
        clean.resumeFrom = ResumePoint{previous, m_run.residualPre.narrow(1, 0, positions)};
    ActivationCache cache;
    engine.model().forward(prefix, cache, clean);
    m_run.attentionPattern = cache.at(patternHook).select(0, 0).to(at::kCPU, at::kFloat);  // [H,P,P]
    const auto residualPre = cache.at(residualHook);
    m_run.residualPre = residualPre;
    if (!sae)
        return;
    const auto mode = engine.inputMode().chosen;
    const auto input = engine.lorsaInputFrom(cache.at(engine.lorsaInHook()), mode);
    LorsaForwardOptions lorsaOptions;
    lorsaOptions.cancelled = cancelled;
    lorsaOptions.keyValues = &m_lorsa;
    const auto output = sae->forward(input, lorsaOptions);  // fills m_lorsa
    m_run.lorsaInput = input;
    m_run.featureActs = output.featureActs;
    m_run.reconstructed = output.reconstructed;
    m_run.target = engine.reconstructionTarget(cache.at(engine.lorsaOutHook()), mode);

    m_splicedNll = nllOfRun(splicedLogits(prefix, residualPre, output.reconstructed, cancelled), ids, 0);  // fills m_spliced
}

at::Tensor PromptRunner::splicedLogits(const at::Tensor& tokens, const at::Tensor& residualPre, const at::Tensor& reconstructed,
                                       const std::function<bool()>& cancelled)
{
    ForwardOptions spliced;
    spliced.cancelled = cancelled;
    spliced.keyValues = &m_spliced;
    spliced.resumeFrom = ResumePoint{m_patternLayer, residualPre};
    return m_engine.splicedForward(tokens, reconstructed, spliced);
}

const PromptRun& PromptRunner::run(const std::vector<int64_t>& ids, const std::function<bool()>& cancelled)
{
    c10::InferenceMode guard;
    const auto& engine = m_engine;
    const auto* sae = engine.lorsa();
    const int64_t total = static_cast<int64_t>(ids.size());
    size_t shared = 0;
    while (m_reusePrefix && shared < m_validIds.size() && shared < ids.size() && m_validIds[shared] == ids[shared])
        ++shared;
    // Position p's next-token term reads token p+1: keep only positions whose next token is
    // shared too, and always run at least the last one.
    const int64_t reused = std::max<int64_t>(0, std::min<int64_t>(static_cast<int64_t>(shared) - 1, total - 1));
    truncate(reused);
    if (m_previousLayer) {
        if (reused > 0) {
            try {
                recomputePrefix(ids, reused, cancelled);
            } catch (...) {
                // The caches may be half filled: the next run starts from the embeddings.
                truncate(0);
                m_previousLayer.reset();
                throw;
            }
        }
        m_previousLayer.reset();
    }
    const int64_t fresh = total - reused;
    const auto device = engine.device();
    const auto newTokens = at::tensor(std::vector<int64_t>(ids.begin() + reused, ids.end()), at::kLong).unsqueeze(0).to(device);

    const int64_t layer = m_patternLayer;
    const auto patternHook = blockHook(layer, "attn.hook_pattern");
    ForwardOptions clean;
    clean.cancelled = cancelled;
    clean.keyValues = &m_clean;
    clean.capture.names = {patternHook};
    if (sae)
        clean.capture.names.insert({engine.lorsaInHook(), engine.lorsaOutHook(), blockHook(layer, "hook_resid_pre")});
    ActivationCache cache;
    const auto logits = engine.model().forward(newTokens, cache, clean);  // grows m_clean

    PromptRun run;
    run.ids = ids;
    run.reusedPositions = reused;
    run.tokens = at::tensor(ids, at::kLong).unsqueeze(0).to(device);
    const auto patternRows = cache.at(patternHook).select(0, 0).to(at::kCPU, at::kFloat);  // [H,fresh,total]
    run.attentionPattern = at::zeros({patternRows.size(0), total, total}, patternRows.options());
    if (reused > 0)
        run.attentionPattern.narrow(1, 0, reused).narrow(2, 0, reused).copy_(m_run.attentionPattern.narrow(1, 0, reused).narrow(2, 0, reused));
    run.attentionPattern.narrow(1, reused, fresh).copy_(patternRows);
    const auto cleanNll = appended(m_cleanNll, reused, nllOfRun(logits, ids, reused), 0);

    if (sae) {
        const auto mode = engine.inputMode().chosen;
        const auto input = engine.lorsaInputFrom(cache.at(engine.lorsaInHook()), mode);
        LorsaForwardOptions lorsaOptions;
        lorsaOptions.cancelled = cancelled;
        lorsaOptions.keyValues = &m_lorsa;
        const auto output = sae->forward(input, lorsaOptions);  // grows m_lorsa
        const auto residualPre = cache.at(blockHook(layer, "hook_resid_pre"));

        const auto logitsSpliced = splicedLogits(newTokens, residualPre, output.reconstructed, cancelled);  // grows m_spliced
        const auto splicedNll = appended(m_splicedNll, reused, nllOfRun(logitsSpliced, ids, reused), 0);

        run.lorsaInput = appended(m_run.lorsaInput, reused, input, 1);
        run.featureActs = appended(m_run.featureActs, reused, output.featureActs, 1);
        run.reconstructed = appended(m_run.reconstructed, reused, output.reconstructed, 1);
        run.target = appended(m_run.target, reused, engine.reconstructionTarget(cache.at(engine.lorsaOutHook()), mode), 1);
        run.residualPre = appended(m_run.residualPre, reused, residualPre, 1);

        Fidelity report = reconstructionFidelity(run.target, run.reconstructed, run.featureActs);
        report.cleanLoss = meanOf(cleanNll);
        report.splicedLoss = meanOf(splicedNll);
        run.fidelity = std::move(report);
        m_splicedNll = splicedNll;
    }
    m_cleanNll = cleanNll;
    m_run = std::move(run);
    m_validIds = ids;
    return m_run;
}

} // namespace lorsa
