#pragma once
/// \file
/// Plain data of a head atlas (no LibTorch): what an atlas was built from, its per-head
/// statistics and top contexts, as `lorsa atlas` and the explorer read them. Schema: docs/ATLAS.md.

#include "model/engine/analysis.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lorsa {

/// What an atlas was built from. Two atlases (or an atlas and a loaded Lorsa) belong together
/// when the Lorsa config hash and the layer agree.
struct AtlasIdentity {
    std::string modelName;          ///< the model config's name
    std::string modelFolder;        ///< the model folder's name (not its full path)
    std::string modelConfigHash;    ///< FNV-1a 64 of config.json, hex
    std::string lorsaName;
    std::string lorsaFolder;
    std::string lorsaConfigHash;    ///< FNV-1a of config.json, "-", FNV-1a of the weight files (names, sizes, first/last MiB)
    int64_t layer = 0;
    int64_t nOvHeads = 0;
    int64_t nQkHeads = 0;
    int64_t nMhsaHeads = 0;
};

/// Whether two identities name the same Lorsa (config and weights fingerprint, layer, heads): the
/// one rule by which an atlas belongs to a Lorsa.
inline bool sameLorsa(const AtlasIdentity& a, const AtlasIdentity& b)
{
    return a.lorsaConfigHash == b.lorsaConfigHash && a.layer == b.layer && a.nOvHeads == b.nOvHeads;
}

/// The atlas's log-spaced activation histogram: kHistogramBins bins per head over |activation|,
/// edges 10^(kHistogramMinExponent + i / kHistogramBinsPerDecade); values below the first edge
/// count in bin 0, values at or above the last edge in the last bin.
inline constexpr int kHistogramBinsPerDecade = 4;
inline constexpr int kHistogramMinExponent = -6;
inline constexpr int kHistogramBins = 12 * kHistogramBinsPerDecade;  // 1e-6 .. 1e6
/// The kHistogramBins + 1 edges.
std::vector<double> histogramEdges();

/// One of a head's top contexts.
struct AtlasContext {
    int64_t rank = 0;                 ///< 0 = the strongest
    int64_t document = 0;
    int64_t start = 0;                ///< token offset of its first non-BOS token in the document
    int64_t position = 0;             ///< peak position in the context (BOS = 0)
    float activation = 0;             ///< at the peak
    std::vector<int64_t> tokens;      // (T) BOS first
    std::vector<std::string> tokenTexts;  // (T) each token's text alone
    std::string text;                 ///< the context decoded
    std::vector<float> activations;   // (T) the head at every position (0 at BOS)
    std::vector<float> zPattern;      // (position + 1) contribution of keys 0..position at the peak
};

/// One head's entry.
struct AtlasHead {
    int64_t head = 0;
    int64_t qkHead = 0;
    int64_t activeCount = 0;
    double frequency = 0;             ///< activeCount / positions indexed (BOS excluded)
    double max = 0;                   ///< 0 when never active
    double meanActive = 0;            ///< mean of the non-zero activations
    std::vector<double> histogramEdges;   // (bins + 1)
    std::vector<int64_t> histogramCounts; // (bins)
    int64_t similarMhsaHead = -1;     ///< on the head's top context; -1 without one
    double similarMhsaDistance = 0;   ///< mean Jensen-Shannon distance of pattern rows
    HeadScore scores;                 ///< of its QK head (head_scores.h)
    std::vector<TokenScore> promoted;     ///< top tokens of w_o through the unembedding
    std::vector<TokenScore> suppressed;   ///< bottom tokens (most negative logit effect)
    std::string label;
    std::string note;
    bool bookmark = false;
};

/// One row of a head list: what the explorer's atlas table shows of every head at once.
struct AtlasHeadRow {
    int64_t head = 0;
    int64_t qkHead = 0;
    int64_t activeCount = 0;
    double frequency = 0;             ///< as AtlasHead::frequency
    double max = 0;                   ///< 0 when never active
    int64_t similarMhsaHead = -1;
    double induction = 0;             ///< of its QK head
    double previousToken = 0;
    std::string topToken;             ///< the token its strongest context peaks on; empty without one
    std::string label;
    std::string note;
    bool bookmark = false;
};

/// A head's label, note and bookmark (the annotations table).
struct HeadAnnotation {
    int64_t head = 0;
    std::string label;
    std::string note;
    bool bookmark = false;
};

/// What `lorsa atlas info` shows.
struct AtlasSummary {
    AtlasIdentity identity;
    int schemaVersion = 0;
    std::string status;               ///< "complete" or "indexing"
    int64_t context = 0;
    int64_t top = 0;
    int64_t documents = 0;
    int64_t contexts = 0;
    int64_t tokensIndexed = 0;        ///< corpus tokens (BOS excluded)
    int64_t deadHeads = 0;            ///< never active
    std::string shard;                ///< "I/K", "merged K", or "" for a whole corpus
    std::vector<std::string> corpusFiles;
};

} // namespace lorsa
