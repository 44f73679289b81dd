#include "model/atlas/atlas_finalizer.h"

#include "model/atlas/canonical_top.h"
#include "model/atlas/state_store.h"
#include "model/core/error.h"
#include "model/engine/engine.h"
#include "model/engine/head_attribution.h"
#include "model/engine/head_scores.h"

#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include <map>

namespace lorsa {
namespace {

/// One (head, rank) whose context is being recomputed.
struct TopSlot {
    int64_t head = 0;
    int64_t rank = 0;
    int64_t position = 0;
    float activation = 0;
};

/// Fixed head groups of one patterns() / headValues() call (bounds the [n,C,C] patterns).
constexpr int64_t kQkGroup = 32;
constexpr int64_t kOvGroup = 1024;

std::vector<float> floats(const at::Tensor& t)
{
    const auto c = t.to(at::kCPU, at::kFloat).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

struct MhsaMatch {
    int64_t head = -1;
    double distance = 0;
};

} // namespace

std::string tokenScoresJson(const std::vector<TokenScore>& tokens)
{
    auto list = nlohmann::ordered_json::array();
    for (const auto& t : tokens)
        list.push_back({{"id", t.id}, {"text", t.text}, {"logit", t.score}});
    return list.dump();
}

std::vector<TokenScore> tokenScoresFromJson(const std::string& json)
{
    std::vector<TokenScore> tokens;
    for (const auto& item : nlohmann::json::parse(json))
        tokens.push_back({item.at("id").get<int64_t>(), item.at("text").get<std::string>(), item.at("logit").get<float>()});
    return tokens;
}

void finalizeAtlas(const Engine& engine, const AtlasCorpus& corpus, const RunningState& state, AtlasFile& atlas,
                   const FinalizeOptions& options)
{
    const auto& sae = *engine.lorsa();
    const auto layer = sae.config().layer;
    const auto lists = canonicalTopLists(engine, corpus, state, options.top, options.context, options.cancelled);
    std::map<int64_t, std::vector<TopSlot>> slotsByContext;
    for (int64_t h = 0; h < state.heads; ++h) {
        const auto& list = lists[static_cast<size_t>(h)];
        for (size_t r = 0; r < list.size(); ++r)
            slotsByContext[corpus.find(list[r].document, list[r].start)].push_back(
                {h, static_cast<int64_t>(r), list[r].position, list[r].activation});
    }
    std::vector<MhsaMatch> similar(static_cast<size_t>(state.heads));

    SqliteTransaction transaction(atlas.db());
    atlas.db().exec("DELETE FROM heads; DELETE FROM top_contexts; DELETE FROM contexts;");
    SqliteStatement insertTop(atlas.db(), "INSERT INTO top_contexts (head, rank, document, start, position, activation, peak_token, "
                                          "peak_text, activations, z_pattern) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SqliteStatement insertContext(atlas.db(), "INSERT INTO contexts (document, start, tokens, text, token_texts) VALUES (?, ?, ?, ?, ?)");
    {
        c10::InferenceMode guard;
        const auto patternHook = blockHook(layer, "attn.hook_pattern");
        for (const auto& [ordinal, slots] : slotsByContext) {
            if (options.cancelled && options.cancelled())
                throw Error(ErrorKind::Cancelled, "interrupted while recomputing top contexts; " + atlas.path().string() +
                                                      " is consistent: rerun with --resume to finish");
            // Alone in [1, C], as canonicalTopLists ranked it: the same values again.
            const auto run = runContextAlone(engine, corpus, ordinal, options.context, true);
            {
                const int64_t b = 0;
                const auto& span = corpus.contexts[static_cast<size_t>(ordinal)];
                const auto length = span.length + 1;
                const auto ids = corpus.contextTokens(static_cast<size_t>(ordinal));
                const std::vector<int32_t> stored(ids.begin(), ids.end());
                insertContext.bind(1, span.document).bind(2, span.start).bindVector(3, stored);
                auto texts = nlohmann::json::array();
                for (const auto id : ids)
                    texts.push_back(engine.tokenizer().tokenText(id));
                insertContext.bind(4, engine.tokenizer().decode(ids)).bind(5, texts.dump()).run();
                const auto x = run.lorsaInput.narrow(0, b, 1);                              // [1,C,d]
                const auto acts = run.lorsa->featureActs.select(0, b).narrow(0, 0, length); // [len,H]
                const auto mhsa = run.cache.at(patternHook).select(0, b).narrow(1, 0, length).narrow(2, 0, length);
                // Patterns and values in fixed groups of heads, so that a head's numbers never
                // depend on which other heads share the context (a merge copies shard rows).
                std::map<int64_t, at::Tensor> patternGroups;  // group -> [n,C,C]
                std::map<int64_t, at::Tensor> valueGroups;    // group -> [C,n]
                const auto patternOf = [&](int64_t qk) {       // [C,C]
                    const auto group = qk / kQkGroup;
                    if (!patternGroups.count(group)) {
                        std::vector<int64_t> heads;
                        for (int64_t i = group * kQkGroup; i < std::min(sae.config().nQkHeads, (group + 1) * kQkGroup); ++i)
                            heads.push_back(i);
                        patternGroups[group] = sae.patterns(x, heads).select(0, 0).to(at::kCPU, at::kFloat);
                    }
                    return patternGroups[group].select(0, qk - group * kQkGroup);
                };
                const auto valuesOf = [&](int64_t head) {     // [C]
                    const auto group = head / kOvGroup;
                    if (!valueGroups.count(group)) {
                        std::vector<int64_t> heads;
                        for (int64_t i = group * kOvGroup; i < std::min(sae.config().nOvHeads, (group + 1) * kOvGroup); ++i)
                            heads.push_back(i);
                        valueGroups[group] = sae.headValues(x, heads).select(0, 0).to(at::kCPU, at::kFloat);
                    }
                    return valueGroups[group].select(1, head - group * kOvGroup);
                };
                const auto allActs = acts.to(at::kCPU, at::kFloat).contiguous();  // [len,H]
                for (const auto& slot : slots) {
                    // z[q,k] = A[q,k] v[k] (LorsaLayer::zPatterns), at the peak query only.
                    const auto keys = slot.position + 1;
                    const auto pattern = patternOf(sae.qkHeadOf(slot.head));
                    const auto zRow = floats(pattern.select(0, slot.position).narrow(0, 0, keys) * valuesOf(slot.head).narrow(0, 0, keys));
                    const auto actRow = floats(allActs.select(1, slot.head));
                    const auto peakToken = ids[static_cast<size_t>(slot.position)];
                    insertTop.bind(1, slot.head).bind(2, slot.rank).bind(3, span.document).bind(4, span.start);
                    insertTop.bind(5, slot.position).bind(6, static_cast<double>(slot.activation)).bind(7, peakToken);
                    insertTop.bind(8, engine.tokenizer().tokenText(peakToken)).bindVector(9, actRow).bindVector(10, zRow).run();
                    if (slot.rank == 0) {
                        const auto own = pattern.narrow(0, 0, length).narrow(1, 0, length);
                        const auto distances = meanJensenShannonDistance(own, mhsa.to(at::kCPU));
                        const auto best = distances.argmin().item<int64_t>();
                        similar[static_cast<size_t>(slot.head)] = {best, distances[best].item<double>()};
                    }
                }
            }
        }
    }

    if (options.cancelled && options.cancelled())
        throw Error(ErrorKind::Cancelled, "interrupted before the head table was written; rerun with --resume to finish");
    const auto scores = computeHeadScores(engine, layer, options.cancelled);
    std::map<int64_t, HeadScore> qkScores;
    for (const auto& score : scores)
        if (score.kind == "lorsa_qk")
            qkScores[score.head] = score;
    HeadAttribution attribution(engine);
    std::vector<int64_t> all;
    for (int64_t h = 0; h < state.heads; ++h)
        all.push_back(h);
    attribution.prepare(all);
    SqliteStatement insertHead(atlas.db(), "INSERT INTO heads (head, qk_head, similar_mhsa_head, similar_mhsa_distance, induction, "
                                           "previous_token, duplicate_token, first_token, promoted, suppressed) "
                                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (int64_t h = 0; h < state.heads; ++h) {
        const auto qk = sae.qkHeadOf(h);
        const auto& score = qkScores[qk];
        const auto& tokens = attribution.tokensOf(h);
        const auto& match = similar[static_cast<size_t>(h)];
        insertHead.bind(1, h).bind(2, qk).bind(3, match.head).bind(4, match.distance).bind(5, score.induction);
        insertHead.bind(6, score.previousToken).bind(7, score.duplicateToken).bind(8, score.firstToken);
        insertHead.bind(9, tokenScoresJson(tokens.promoted)).bind(10, tokenScoresJson(tokens.suppressed)).run();
    }
    // The running state's lists and maxima carried batch rounding: store the exact ones.
    auto final = state;
    final.top = options.top;
    final.topLists = lists;
    for (size_t h = 0; h < lists.size(); ++h)
        if (!lists[h].empty())
            final.max[h] = lists[h].front().activation;
    writeRunningState(atlas, final);
    atlas.setMeta("status", "complete");
    transaction.commit();
}

} // namespace lorsa
