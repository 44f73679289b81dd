#pragma once
/// \file
/// Reading a finished atlas: its summary, a head's statistics and top contexts, searches by peak
/// token or annotation. What `lorsa atlas` prints and the explorer shows. No LibTorch.

#include "model/atlas/atlas_file.h"
#include "model/atlas/atlas_types.h"

#include <string>
#include <vector>

namespace lorsa {

/// What was built from what, how much was indexed, dead heads. Works on an unfinished atlas too.
AtlasSummary readAtlasSummary(AtlasFile& atlas);

/// Throws Error(InvalidInput) unless indexing finished ("run lorsa index --resume").
void requireComplete(AtlasFile& atlas);

/// Head \p head's statistics, head information and annotation. Throws Error(InvalidInput) for a
/// head that does not exist.
AtlasHead readAtlasHead(AtlasFile& atlas, int64_t head);

/// Every head's row for a head list, by head, in one query (tens of thousands of heads).
std::vector<AtlasHeadRow> readHeadRows(AtlasFile& atlas);

/// Head \p head's top contexts, best first.
std::vector<AtlasContext> readTopContexts(AtlasFile& atlas, int64_t head);

/// A search hit: a head and the value it is ranked by.
struct AtlasSearchHit {
    int64_t head = 0;
    double activation = 0;        ///< the strongest matching top context (token search)
    std::string matched;          ///< the peak token text, or the label
    std::string label;
    std::string note;
};

/// Heads whose top contexts peak on a token whose text contains \p text (case-insensitive for
/// ASCII), strongest first.
std::vector<AtlasSearchHit> searchByToken(AtlasFile& atlas, const std::string& text);
/// Heads whose label or note contains \p text (case-insensitive for ASCII), by head.
std::vector<AtlasSearchHit> searchByLabel(AtlasFile& atlas, const std::string& text);

} // namespace lorsa
