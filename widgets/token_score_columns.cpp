#include "widgets/token_score_columns.h"

#include <algorithm>
#include <cmath>

namespace lorsa {

void appendTokenScoreColumns(DataTable& table, const QString& prefix, const std::vector<const std::vector<TokenScore>*>& perRow)
{
    Q_ASSERT(perRow.size() == static_cast<size_t>(table.rows.size()));
    size_t ranks = 0;
    for (const auto* list : perRow)
        ranks = std::max(ranks, list ? list->size() : 0);
    for (size_t rank = 1; rank <= ranks; ++rank)
        table.columns << QStringLiteral("%1_token_%2").arg(prefix).arg(rank) << QStringLiteral("%1_value_%2").arg(prefix).arg(rank);
    for (size_t row = 0; row < perRow.size(); ++row) {
        QVariantList& values = table.rows[static_cast<qsizetype>(row)];
        for (size_t rank = 0; rank < ranks; ++rank) {
            const TokenScore* score = perRow[row] && rank < perRow[row]->size() ? &(*perRow[row])[rank] : nullptr;
            values << (score ? QString::fromUtf8(score->text.data(), static_cast<qsizetype>(score->text.size())) : QString())
                   << (score ? static_cast<double>(score->score) : std::nan(""));
        }
    }
}

} // namespace lorsa
