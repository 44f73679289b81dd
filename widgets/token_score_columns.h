#pragma once
// A head's token lists (promoted tokens, tokens it reads from) as plain columns of a DataTable:
// `<prefix>_token_1, <prefix>_value_1, ..., <prefix>_token_N, <prefix>_value_N`, so that a CSV
// row holds one head and pandas gets each rank's token and value as columns of their own.

#include "model/engine/analysis.h"
#include "widgets/figure_source.h"

#include <vector>

namespace lorsa {

/// Appends the columns for ranks 1..N (N: the longest of \p perRow's lists) to \p table and each
/// row's list to table.rows[i] (perRow.size() == table.rows.size()): the token's text exactly as
/// decoded and its score. A shorter or missing (null) list leaves an empty token and a NaN value.
void appendTokenScoreColumns(DataTable& table, const QString& prefix, const std::vector<const std::vector<TokenScore>*>& perRow);

} // namespace lorsa
