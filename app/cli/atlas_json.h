#pragma once
// The JSON that `lorsa atlas ... --json` prints (field names fixed by issue 9 and docs/ATLAS.md).

#include "model/atlas/atlas_reader.h"

#include <nlohmann/json.hpp>

namespace lorsa::cli {

nlohmann::ordered_json summaryJson(const AtlasSummary& summary);
nlohmann::ordered_json headJson(const AtlasHead& head);
nlohmann::ordered_json contextJson(const AtlasContext& context);
nlohmann::ordered_json tokenScoresJsonList(const std::vector<TokenScore>& tokens);

} // namespace lorsa::cli
