#pragma once
// The Lorsa heads of the prompt as a table: at the selected token, the active heads with their
// activation and share of the token's reconstruction; or over all tokens, every head that fires
// anywhere with its maximum. Two editable columns (ablate, scale) collect an intervention.

#include "model/engine/analysis.h"

#include <QAbstractTableModel>

#include <map>

namespace lorsa {

/// Per-head output scale of an intervention (0 = ablated); heads not listed keep 1.
using HeadScales = std::map<int, float>;

class HeadActivationModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        HeadColumn,         ///< OV head index
        QkHeadColumn,       ///< the QK head it reads its pattern from: head / (n_ov / n_qk)
        InductionColumn,    ///< that QK head's induction score (PromptAnalysis::qkHeadScores)
        ActivationColumn,   ///< activation at the token (AllTokens: maximum over the prompt)
        ShareColumn,        ///< |z_i| * |w_o^i| / sum_j |z_j| * |w_o^j| at that token
        TokenColumn,        ///< the token (AllTokens: where the maximum is)
        PromotedColumn,     ///< top promoted tokens (from PromptAnalysis::headPromotedTokens)
        ValueTokensColumn,  ///< top value tokens (from PromptAnalysis::headValueTokens)
        AblateColumn,       ///< checkbox: scale 0
        ScaleColumn,        ///< editable output scale
        ColumnCount
    };
    enum Role {
        ValueRole = Qt::UserRole,  ///< the raw number of numeric columns (double)
        SortRole,                  ///< what the proxy sorts by
        MaximumRole,               ///< the column's largest |value|, for bar delegates
    };
    enum class Mode { AtToken, AllTokens };

    explicit HeadActivationModel(QObject* parent = nullptr);

    void setAnalysis(PromptAnalysisPtr analysis);
    void setToken(int token);
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    int token() const { return m_token; }
    int headAt(int row) const;
    const HeadScales& headScales() const { return m_scales; }
    /// Resets the intervention to \p scales (values clamped to [0, 10], NaN dropped).
    void setHeadScales(const HeadScales& scales);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

    static constexpr float kMaxScale = 10;

Q_SIGNALS:
    void interventionChanged(const lorsa::HeadScales& headScales);

private:
    struct Row {
        int head;
        int token;
        double activation;
        double share;
    };
    void rebuild();
    float scaleOf(int head) const;
    void setScale(int head, float scale);
    QString tokenText(int token) const;
    QString scoresText(const std::vector<std::vector<TokenScore>>& perHead, int head) const;
    /// Every token of \p head's list with its value, as a tooltip table under \p title.
    QString scoresTooltip(const QString& title, const std::vector<std::vector<TokenScore>>& perHead, int head) const;

    PromptAnalysisPtr m_analysis;
    Mode m_mode = Mode::AtToken;
    int m_token = 0;
    std::vector<Row> m_rows;
    double m_maxActivation = 0;
    double m_maxShare = 0;
    HeadScales m_scales;
};

} // namespace lorsa

Q_DECLARE_METATYPE(lorsa::HeadScales)
