#include "widgets/head_activation_model.h"

#include "widgets/head_score_text.h"

#include "widgets/token_layout.h"

#include <algorithm>
#include <cmath>

namespace lorsa {

HeadActivationModel::HeadActivationModel(QObject* parent) : QAbstractTableModel(parent) {}

void HeadActivationModel::setAnalysis(PromptAnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    rebuild();
}

void HeadActivationModel::setToken(int token)
{
    if (token == m_token)
        return;
    m_token = token;
    if (m_mode == Mode::AtToken)
        rebuild();
}

void HeadActivationModel::setMode(Mode mode)
{
    if (mode == m_mode)
        return;
    m_mode = mode;
    rebuild();
}

void HeadActivationModel::rebuild()
{
    beginResetModel();
    m_rows.clear();
    m_maxActivation = 0;
    m_maxShare = 0;
    const PromptAnalysis* a = m_analysis.get();
    const size_t n = a ? std::min(a->tokens.size(), a->active.size()) : 0;
    if (m_mode == Mode::AtToken) {
        if (m_token >= 0 && static_cast<size_t>(m_token) < n)
            for (const HeadActivation& h : a->active[static_cast<size_t>(m_token)])
                m_rows.push_back({h.head, m_token, h.activation, static_cast<double>(h.share)});
    } else if (a) {
        std::map<int, Row> best;
        for (size_t t = 0; t < n; ++t) {
            for (const HeadActivation& h : a->active[t]) {
                auto [it, inserted] = best.try_emplace(h.head, Row{h.head, static_cast<int>(t), h.activation, static_cast<double>(h.share)});
                if (!inserted && h.activation > it->second.activation)
                    it->second = Row{h.head, static_cast<int>(t), h.activation, static_cast<double>(h.share)};
            }
        }
        m_rows.reserve(best.size());
        for (const auto& [head, row] : best)
            m_rows.push_back(row);
    }
    std::stable_sort(m_rows.begin(), m_rows.end(), [](const Row& x, const Row& y) { return x.activation > y.activation; });
    for (const Row& row : m_rows) {
        if (std::isfinite(row.activation))
            m_maxActivation = std::max(m_maxActivation, std::abs(row.activation));
        if (std::isfinite(row.share))
            m_maxShare = std::max(m_maxShare, row.share);
    }
    endResetModel();
}

int HeadActivationModel::headAt(int row) const
{
    return row >= 0 && static_cast<size_t>(row) < m_rows.size() ? m_rows[static_cast<size_t>(row)].head : -1;
}

float HeadActivationModel::scaleOf(int head) const
{
    const auto it = m_scales.find(head);
    return it == m_scales.end() ? 1.0f : it->second;
}

void HeadActivationModel::setScale(int head, float scale)
{
    scale = std::clamp(scale, 0.0f, kMaxScale);
    if (scaleOf(head) == scale)
        return;
    if (scale == 1.0f)
        m_scales.erase(head);
    else
        m_scales[head] = scale;
    for (size_t r = 0; r < m_rows.size(); ++r)
        if (m_rows[r].head == head)
            Q_EMIT dataChanged(index(static_cast<int>(r), AblateColumn), index(static_cast<int>(r), ScaleColumn));
    Q_EMIT interventionChanged(m_scales);
}

void HeadActivationModel::setHeadScales(const HeadScales& scales)
{
    HeadScales clean;
    for (const auto& [head, scale] : scales)
        if (!std::isnan(scale) && std::clamp(scale, 0.0f, kMaxScale) != 1.0f)
            clean[head] = std::clamp(scale, 0.0f, kMaxScale);
    if (clean == m_scales)
        return;
    m_scales = std::move(clean);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, AblateColumn), index(rowCount() - 1, ScaleColumn));
    Q_EMIT interventionChanged(m_scales);
}

int HeadActivationModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int HeadActivationModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString HeadActivationModel::tokenText(int token) const
{
    if (!m_analysis || token < 0 || static_cast<size_t>(token) >= m_analysis->tokens.size())
        return {};
    return QStringLiteral("%1 %2").arg(token).arg(displayToken(m_analysis->tokens[static_cast<size_t>(token)].text));
}

QString HeadActivationModel::scoresText(const std::vector<std::vector<TokenScore>>& perHead, int head) const
{
    if (head < 0 || static_cast<size_t>(head) >= perHead.size())
        return {};
    QStringList parts;
    for (const TokenScore& score : perHead[static_cast<size_t>(head)]) {
        parts << displayToken(score.text);
        if (parts.size() == 5)
            break;
    }
    return parts.join(QStringLiteral("  "));
}

QString HeadActivationModel::scoresTooltip(const QString& title, const std::vector<std::vector<TokenScore>>& perHead, int head) const
{
    if (head < 0 || static_cast<size_t>(head) >= perHead.size() || perHead[static_cast<size_t>(head)].empty())
        return {};
    QString rows;
    for (const TokenScore& score : perHead[static_cast<size_t>(head)])
        rows += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td></tr>")
                    .arg(displayToken(score.text).toHtmlEscaped())
                    .arg(double(score.score), 0, 'f', 3);
    return QStringLiteral("<b>%1</b><table cellspacing='2'>%2</table>").arg(title.toHtmlEscaped(), rows);
}

QVariant HeadActivationModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[static_cast<size_t>(index.row())];
    // The engine's map of OV head to QK head, never re-derived here.
    const auto& qkHeads = m_analysis->session->qkHeadOfOv;
    const int qkHead = static_cast<size_t>(row.head) < qkHeads.size() ? qkHeads[static_cast<size_t>(row.head)] : -1;
    const float scale = scaleOf(row.head);
    const auto& scores = m_analysis->session->qkHeadScores;
    const HeadScore* qkScore = qkHead >= 0 && qkHead < static_cast<int>(scores.size()) ? &scores[static_cast<size_t>(qkHead)] : nullptr;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case HeadColumn: return row.head;
        case QkHeadColumn: return qkHead >= 0 ? QVariant(qkHead) : QVariant();
        case InductionColumn: return qkScore ? QString::number(qkScore->induction, 'f', 2) : QString();
        case ActivationColumn: return QString::number(row.activation, 'f', 3);
        case ShareColumn: return std::isnan(row.share) ? QString() : QStringLiteral("%1%").arg(100 * row.share, 0, 'f', 1);
        case TokenColumn: return tokenText(row.token);
        case PromotedColumn: return m_analysis ? scoresText(m_analysis->headPromotedTokens, row.head) : QString();
        case ValueTokensColumn: return m_analysis ? scoresText(m_analysis->headValueTokens, row.head) : QString();
        case ScaleColumn: return QString::number(scale, 'g', 3);
        default: return {};
        }
    case Qt::EditRole:
        return index.column() == ScaleColumn ? QVariant(static_cast<double>(scale)) : QVariant();
    case Qt::CheckStateRole:
        return index.column() == AblateColumn ? QVariant(scale == 0.0f ? Qt::Checked : Qt::Unchecked) : QVariant();
    case Qt::ToolTipRole:
        if (index.column() == PromotedColumn && m_analysis)
            return scoresTooltip(tr("Head %1 promotes (logit through the unembedding)").arg(row.head), m_analysis->headPromotedTokens, row.head);
        if (index.column() == ValueTokensColumn && m_analysis)
            return scoresTooltip(tr("Head %1 reads from (token embeddings that drive w_v)").arg(row.head), m_analysis->headValueTokens, row.head);
        if (index.column() != InductionColumn || !qkScore)
            return {};
        return headScoreText(tr("QK head %1").arg(qkHead), *qkScore);
    case Qt::TextAlignmentRole:
        return index.column() <= ShareColumn || index.column() == ScaleColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case ValueRole:
    case SortRole:
        switch (index.column()) {
        case HeadColumn: return row.head;
        case QkHeadColumn: return qkHead >= 0 ? QVariant(qkHead) : QVariant();
        case InductionColumn:
            if (qkScore)
                return qkScore->induction;
            return role == SortRole ? QVariant(-1.0) : QVariant();
        case ActivationColumn: return row.activation;
        case ShareColumn: return role == SortRole && std::isnan(row.share) ? -1.0 : row.share;
        case TokenColumn: return row.token;
        case AblateColumn: return scale == 0.0f ? 1 : 0;
        case ScaleColumn: return static_cast<double>(scale);
        default: return index.data(Qt::DisplayRole);
        }
    case MaximumRole:
        return index.column() == ActivationColumn ? m_maxActivation : index.column() == ShareColumn ? m_maxShare : QVariant();
    default:
        return {};
    }
}

bool HeadActivationModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    const int head = m_rows[static_cast<size_t>(index.row())].head;
    if (index.column() == AblateColumn && role == Qt::CheckStateRole) {
        setScale(head, value.value<Qt::CheckState>() == Qt::Checked ? 0.0f : 1.0f);
        return true;
    }
    if (index.column() == ScaleColumn && role == Qt::EditRole) {
        bool ok = false;
        const double scale = value.toDouble(&ok);
        if (!ok || !std::isfinite(scale))
            return false;
        setScale(head, static_cast<float>(scale));
        return true;
    }
    return false;
}

QVariant HeadActivationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case HeadColumn: return tr("Head");
        case QkHeadColumn: return tr("QK");
        case InductionColumn: return tr("Ind.");
        case ActivationColumn: return m_mode == Mode::AtToken ? tr("Activation") : tr("Max activation");
        case ShareColumn: return tr("Share");
        case TokenColumn: return m_mode == Mode::AtToken ? tr("Token") : tr("At token");
        case PromotedColumn: return tr("Promotes");
        case ValueTokensColumn: return tr("Reads from");
        case AblateColumn: return tr("Ablate");
        case ScaleColumn: return tr("Scale");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ShareColumn: return tr("Share of the token's reconstruction: |z_i|·‖w_o^i‖ / Σ_j |z_j|·‖w_o^j‖");
        case QkHeadColumn: return tr("The QK head whose pattern this OV head reads");
        case InductionColumn: return tr("Induction score of the QK head: mean attention from a repeated random sequence's second copy "
                                        "to the token after the first occurrence (lorsa heads)");
        case PromotedColumn: return tr("Top tokens of w_o through the unembedding");
        case ValueTokensColumn: return tr("Top tokens whose embeddings drive w_v");
        default: return {};
        }
    }
    return {};
}

Qt::ItemFlags HeadActivationModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (!index.isValid())
        return f;
    if (index.column() == AblateColumn)
        f |= Qt::ItemIsUserCheckable;
    if (index.column() == ScaleColumn)
        f |= Qt::ItemIsEditable;
    return f;
}

} // namespace lorsa
