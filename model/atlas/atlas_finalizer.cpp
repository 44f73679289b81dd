#include "model/atlas/atlas_finalizer.h"

#include "model/atlas/context_batch.h"
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

/// Heads per patterns() call: bounds the [n,C,C] pattern tensor.
constexpr size_t kHeadChunk = 256;

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
    std::map<int64_t, std::vector<TopSlot>> slotsByContext;
    for (int64_t h = 0; h < state.heads; ++h) {
        const auto& list = state.topLists[static_cast<size_t>(h)];
        for (size_t r = 0; r < list.size(); ++r) {
            const auto ordinal = corpus.find(list[r].document, list[r].start);
            if (ordinal < 0)
                throw Error(ErrorKind::InvalidFile, atlas.path().string() + ": a top context of head " + std::to_string(h) +
                                                        " is not in the corpus (damaged atlas)");
            slotsByContext[ordinal].push_back({h, static_cast<int64_t>(r), list[r].position, list[r].activation});
        }
    }
    std::vector<MhsaMatch> similar(static_cast<size_t>(state.heads));

    SqliteTransaction transaction(atlas.db());
    atlas.db().exec("DELETE FROM heads; DELETE FROM top_contexts; DELETE FROM contexts;");
    SqliteStatement insertTop(atlas.db(), "INSERT INTO top_contexts (head, rank, document, start, position, activation, peak_token, "
                                          "peak_text, activations, z_pattern) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SqliteStatement insertContext(atlas.db(), "INSERT INTO contexts (document, start, tokens, text, token_texts) VALUES (?, ?, ?, ?, ?)");
    {
        c10::InferenceMode guard;
        RunRequest request;
        request.lorsa = true;
        const auto patternHook = blockHook(layer, "attn.hook_pattern");
        request.modelHooks.names = {patternHook};
        std::vector<int64_t> ordinals;
        for (const auto& entry : slotsByContext)
            ordinals.push_back(entry.first);
        for (size_t begin = 0; begin < ordinals.size(); begin += static_cast<size_t>(options.batch)) {
            if (options.cancelled && options.cancelled())
                throw Error(ErrorKind::Cancelled, "interrupted while recomputing top contexts; " + atlas.path().string() +
                                                      " is consistent: rerun with --resume to finish");
            const std::vector<int64_t> part(ordinals.begin() + static_cast<std::ptrdiff_t>(begin),
                                            ordinals.begin() + static_cast<std::ptrdiff_t>(std::min(ordinals.size(), begin + options.batch)));
            const auto batch = makeContextBatch(corpus, part, options.batch, options.context);
            const auto run = engine.run(batch.tokens, request);
            for (size_t row = 0; row < part.size(); ++row) {
                const auto b = static_cast<int64_t>(row);
                const auto length = batch.lengths[row];
                const auto& span = corpus.contexts[static_cast<size_t>(part[row])];
                const auto ids = corpus.contextTokens(static_cast<size_t>(part[row]));
                const std::vector<int32_t> stored(ids.begin(), ids.end());
                insertContext.bind(1, span.document).bind(2, span.start).bindVector(3, stored);
                auto texts = nlohmann::json::array();
                for (const auto id : ids)
                    texts.push_back(engine.tokenizer().tokenText(id));
                insertContext.bind(4, engine.tokenizer().decode(ids)).bind(5, texts.dump()).run();
                const auto x = run.lorsaInput.narrow(0, b, 1);                              // [1,C,d]
                const auto acts = run.lorsa->featureActs.select(0, b).narrow(0, 0, length); // [len,H]
                const auto mhsa = run.cache.at(patternHook).select(0, b).narrow(1, 0, length).narrow(2, 0, length);
                const auto& slots = slotsByContext.at(part[row]);
                for (size_t chunk = 0; chunk < slots.size(); chunk += kHeadChunk) {
                    const auto end = std::min(slots.size(), chunk + kHeadChunk);
                    std::vector<int64_t> ovHeads, qkHeads, qkIndex, peaks;
                    std::map<int64_t, int64_t> qkSlot;
                    for (size_t i = chunk; i < end; ++i) {
                        ovHeads.push_back(slots[i].head);
                        const auto qk = sae.qkHeadOf(slots[i].head);
                        if (!qkSlot.count(qk)) {
                            qkSlot[qk] = static_cast<int64_t>(qkHeads.size());
                            qkHeads.push_back(qk);
                        }
                        qkIndex.push_back(qkSlot[qk]);
                        peaks.push_back(slots[i].position);
                    }
                    // z[q,k] = A[q,k] v[k] (LorsaLayer::zPatterns), only at each head's peak query.
                    const auto pattern = sae.patterns(x, qkHeads).select(0, 0);             // [q,C,C]
                    const auto values = sae.headValues(x, ovHeads).select(0, 0).t();        // [n,C]
                    const auto qkIdx = at::tensor(qkIndex, at::kLong).to(pattern.device());
                    const auto peakIdx = at::tensor(peaks, at::kLong).to(pattern.device());
                    const auto zRows = (pattern.index({qkIdx, peakIdx}) * values).to(at::kCPU, at::kFloat).contiguous();  // [n,C]
                    const auto headIdx = at::tensor(ovHeads, at::kLong).to(acts.device());
                    const auto headActs = acts.index_select(1, headIdx).t().to(at::kCPU, at::kFloat).contiguous();  // [n,len]
                    for (size_t i = chunk; i < end; ++i) {
                        const auto& slot = slots[i];
                        const auto j = static_cast<int64_t>(i - chunk);
                        const auto zRow = floats(zRows.select(0, j).narrow(0, 0, slot.position + 1));
                        const auto actRow = floats(headActs.select(0, j));
                        const auto peakToken = ids[static_cast<size_t>(slot.position)];
                        insertTop.bind(1, slot.head).bind(2, slot.rank).bind(3, span.document).bind(4, span.start);
                        insertTop.bind(5, slot.position).bind(6, static_cast<double>(slot.activation)).bind(7, peakToken);
                        insertTop.bind(8, engine.tokenizer().tokenText(peakToken)).bindVector(9, actRow).bindVector(10, zRow).run();
                        if (slot.rank == 0) {
                            const auto own = pattern.select(0, qkIndex[static_cast<size_t>(j)]).narrow(0, 0, length).narrow(1, 0, length);
                            const auto distances = meanJensenShannonDistance(own.to(at::kCPU), mhsa.to(at::kCPU));
                            const auto best = distances.argmin().item<int64_t>();
                            similar[static_cast<size_t>(slot.head)] = {best, distances[best].item<double>()};
                        }
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
    atlas.setMeta("status", "complete");
    transaction.commit();
}

} // namespace lorsa
