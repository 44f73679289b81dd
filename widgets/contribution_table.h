#pragma once
// The z-pattern's ranked list: the keys that contribute most to the selected query's z, with the
// key token, its position, the contribution A[q,k]·v[k] and its share of Σ_k |A[q,k]·v[k]|.
// Sorted by |contribution|, so the strongest negative keys are listed as well as the positive.

#include "model/engine/analysis.h"
#include "widgets/z_pattern_stats.h"

#include <QTableWidget>

namespace lorsa {

class ContributionTable : public QTableWidget {
    Q_OBJECT
public:
    enum Column { RankColumn, TokenColumn, PositionColumn, ContributionColumn, ShareColumn, ColumnCount };
    static constexpr int kRows = 10;

    explicit ContributionTable(QWidget* parent = nullptr);
    /// Lists \p keys; their tokens' text comes from \p tokens (the prompt's).
    void setContributions(const std::vector<KeyContribution>& keys, const std::vector<TokenInfo>& tokens);
    QSize sizeHint() const override;
};

} // namespace lorsa
