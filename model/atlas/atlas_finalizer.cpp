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
#include <tuple>

namespace lorsa {
namespace {

/// Fixed head groups of one patterns() / headValues() call (bounds the [n,C,C] patterns).
constexpr int64_t kQkGroup = 32;
constexpr int64_t kOvGroup = 1024;

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
    const auto members = canonicalTopLists(engine, corpus, state, options.top, options.context, options.cancelled);
    std::map<int64_t, std::vector<int64_t>> headsByContext;
    for (int64_t h = 0; h < state.heads; ++h)
        for (const auto& entry : members[static_cast<size_t>(h)])
            headsByContext[corpus.find(entry.document, entry.start)].push_back(h);
    // Exact values of every member, ordered at the end; rows are written with a provisional
    // (negative) rank meanwhile.
    std::vector<std::vector<TopEntry>> lists(static_cast<size_t>(state.heads));
    std::map<std::tuple<int64_t, int64_t, int64_t>, MhsaMatch> similarOn;  // (head, document, start)

    SqliteTransaction transaction(atlas.db());
    atlas.db().exec("DELETE FROM heads; DELETE FROM top_contexts; DELETE FROM contexts;");
    SqliteStatement insertTop(atlas.db(), "INSERT INTO top_contexts (head, rank, document, start, position, activation, peak_token, "
                                          "peak_text, activations, z_pattern) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SqliteStatement insertContext(atlas.db(), "INSERT INTO contexts (document, start, tokens, text, token_texts) VALUES (?, ?, ?, ?, ?)");
    {
        c10::InferenceMode guard;
        const auto patternHook = blockHook(layer, "attn.hook_pattern");
        for (const auto& [ordinal, heads] : headsByContext) {
            if (options.cancelled && options.cancelled())
                throw Error(ErrorKind::Cancelled, "interrupted while recomputing top contexts; " + atlas.path().string() +
                                                      " is consistent: rerun with --resume to finish");
            // Alone in [1, C]: values that depend on this context only.
            const auto run = runContextAlone(engine, corpus, ordinal, options.context, true);
            const auto& span = corpus.contexts[static_cast<size_t>(ordinal)];
            const auto length = span.length + 1;
            const auto ids = corpus.contextTokens(static_cast<size_t>(ordinal));
            const std::vector<int32_t> stored(ids.begin(), ids.end());
            insertContext.bind(1, span.document).bind(2, span.start).bindVector(3, stored);
            auto texts = nlohmann::json::array();
            for (const auto id : ids)
                texts.push_back(engine.tokenizer().tokenText(id));
            insertContext.bind(4, engine.tokenizer().decode(ids)).bind(5, texts.dump()).run();
            const auto x = run.lorsaInput;                                                         // [1,C,d]
            const auto allActs = run.lorsa->featureActs.select(0, 0).narrow(0, 0, length).to(at::kCPU, at::kFloat).contiguous();  // [len,H]
            const auto mhsa = run.cache.at(patternHook).select(0, 0).narrow(1, 0, length).narrow(2, 0, length).to(at::kCPU);
            // Patterns and values of every head, computed in fixed groups of heads so that a
            // head's numbers never depend on which other heads share the context (a merge copies
            // shard rows); the element-wise products below are exact whatever the shapes.
            std::vector<at::Tensor> patternGroups, valueGroups;
            for (int64_t first = 0; first < sae.config().nQkHeads; first += kQkGroup) {
                std::vector<int64_t> groupHeads;
                for (int64_t i = first; i < std::min(sae.config().nQkHeads, first + kQkGroup); ++i)
                    groupHeads.push_back(i);
                patternGroups.push_back(sae.patterns(x, groupHeads).select(0, 0));
            }
            for (int64_t first = 0; first < sae.config().nOvHeads; first += kOvGroup) {
                std::vector<int64_t> groupHeads;
                for (int64_t i = first; i < std::min(sae.config().nOvHeads, first + kOvGroup); ++i)
                    groupHeads.push_back(i);
                valueGroups.push_back(sae.headValues(x, groupHeads).select(0, 0));
            }
            const auto patterns = at::cat(patternGroups, 0);                                  // [n_qk,C,C]
            const auto values = at::cat(valueGroups, 1);                                      // [C,n_ov]
            std::map<int64_t, MhsaMatch> similarOfQk;
            std::vector<int64_t> qkHeads, positions;
            std::vector<float> peaks;
            const auto headIndex = at::tensor(heads, at::kLong);
            const auto actRows = allActs.index_select(1, headIndex).t().contiguous();        // [n,len]
            for (size_t i = 0; i < heads.size(); ++i) {
                // The exact peak: the largest activation over the non-BOS positions, first one.
                const float* row = actRows.data_ptr<float>() + i * static_cast<size_t>(length);
                int64_t position = 1;
                for (int64_t t = 2; t < length; ++t)
                    if (row[t] > row[position])
                        position = t;
                positions.push_back(position);
                peaks.push_back(row[position]);
                qkHeads.push_back(sae.qkHeadOf(heads[i]));
            }
            // z[q,k] = A[q,k] v[k] (LorsaLayer::zPatterns) at each head's peak query: [n,C].
            const auto device = patterns.device();
            const auto qkIndex = at::tensor(qkHeads, at::kLong).to(device);
            const auto zRows = (patterns.index({qkIndex, at::tensor(positions, at::kLong).to(device)}) *
                                values.index_select(1, headIndex.to(device)).t())
                                   .to(at::kCPU, at::kFloat)
                                   .contiguous();
            for (size_t i = 0; i < heads.size(); ++i) {
                const auto head = heads[i];
                const auto position = positions[i];
                const float* actRow = actRows.data_ptr<float>() + i * static_cast<size_t>(length);
                const float* zRow = zRows.data_ptr<float>() + i * static_cast<size_t>(zRows.size(1));
                auto& list = lists[static_cast<size_t>(head)];
                list.push_back({peaks[i], span.document, span.start, position});
                const auto peakToken = ids[static_cast<size_t>(position)];
                insertTop.bind(1, head).bind(2, -static_cast<int64_t>(list.size())).bind(3, span.document).bind(4, span.start);
                insertTop.bind(5, position).bind(6, static_cast<double>(peaks[i])).bind(7, peakToken);
                insertTop.bind(8, engine.tokenizer().tokenText(peakToken));
                insertTop.bindBlob(9, actRow, static_cast<size_t>(length) * sizeof(float));
                insertTop.bindBlob(10, zRow, static_cast<size_t>(position + 1) * sizeof(float)).run();
                // The MHSA comparison is kept for the head's strongest context: measure it where
                // this one may be it (ties are settled below).
                if (nearlyEqual(peaks[i], members[static_cast<size_t>(head)].front().activation) || list.size() == 1) {
                    // It depends on the QK head only: once per QK head and context.
                    auto known = similarOfQk.find(qkHeads[i]);
                    if (known == similarOfQk.end()) {
                        const auto own = patterns.select(0, qkHeads[i]).narrow(0, 0, length).narrow(1, 0, length).to(at::kCPU);
                        const auto distances = meanJensenShannonDistance(own, mhsa);
                        const auto best = distances.argmin().item<int64_t>();
                        known = similarOfQk.emplace(qkHeads[i], MhsaMatch{best, distances[best].item<double>()}).first;
                    }
                    similarOn[{head, span.document, span.start}] = known->second;
                }
            }
        }
    }
    std::vector<MhsaMatch> similar(static_cast<size_t>(state.heads));
    SqliteStatement setRank(atlas.db(), "UPDATE top_contexts SET rank = ? WHERE head = ? AND document = ? AND start = ?");
    for (int64_t h = 0; h < state.heads; ++h) {
        auto& list = lists[static_cast<size_t>(h)];
        std::stable_sort(list.begin(), list.end(), ranksBefore);
        for (size_t r = 0; r < list.size(); ++r)
            setRank.bind(1, static_cast<int64_t>(r)).bind(2, h).bind(3, list[r].document).bind(4, list[r].start).run();
        if (!list.empty()) {
            const auto found = similarOn.find({h, list.front().document, list.front().start});
            if (found != similarOn.end())
                similar[static_cast<size_t>(h)] = found->second;
        }
    }

    if (options.cancelled && options.cancelled())
        throw Error(ErrorKind::Cancelled, "interrupted before the head table was written; rerun with --resume to finish");
    const auto scores = computeHeadScores(engine, layer, options.cancelled);
    std::map<int64_t, HeadScore> qkScores;
    for (const auto& score : scores)
        if (score.kind == "lorsa_qk")
            qkScores[score.head] = score;
    HeadAttribution attribution(engine, /*valueTokens=*/false);
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
    auto exact = state;
    exact.top = options.top;
    exact.topLists = lists;
    for (size_t h = 0; h < lists.size(); ++h)
        if (!lists[h].empty())
            exact.max[h] = lists[h].front().activation;
    writeRunningState(atlas, exact);
    atlas.setMeta("status", "complete");
    transaction.commit();
}

} // namespace lorsa
