#include "widgets/head_list_view.h"

#include "widgets/bar_delegate.h"
#include "widgets/data_writer.h"
#include "widgets/export_menu.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/selection_model.h"
#include "widgets/token_score_columns.h"

#include <QComboBox>
#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QAction>
#include <QRegularExpression>
#include <QTableView>
#include <QVBoxLayout>

namespace lorsa {

HeadListView::HeadListView(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_model(new HeadActivationModel(this)), m_proxy(new QSortFilterProxyModel(this)),
      m_filter(new QLineEdit(this)), m_mode(new QComboBox(this)), m_table(new QTableView(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(HeadActivationModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setPlaceholderText(tr("Filter heads, tokens… (a number + Enter: go to that head)"));
    m_filter->setClearButtonEnabled(true);
    m_mode->addItem(tr("At selected token"));
    m_mode->addItem(tr("All tokens (maximum)"));

    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(HeadActivationModel::ActivationColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_table->setWordWrap(false);
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->verticalHeader()->hide();
    // Fixed row heights keep thousands of rows cheap to scroll (no per-row size hints).
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(HeadActivationModel::PromotedColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(HeadActivationModel::ValueTokensColumn, QHeaderView::Stretch);
    auto* bars = new BarDelegate(this);
    m_table->setItemDelegateForColumn(HeadActivationModel::ActivationColumn, bars);
    m_table->setItemDelegateForColumn(HeadActivationModel::ShareColumn, bars);
    m_table->setColumnWidth(HeadActivationModel::HeadColumn, 56);
    m_table->setColumnWidth(HeadActivationModel::QkHeadColumn, 40);
    m_table->setColumnWidth(HeadActivationModel::InductionColumn, 44);
    m_table->setColumnWidth(HeadActivationModel::ActivationColumn, 80);
    m_table->setColumnWidth(HeadActivationModel::ShareColumn, 64);
    m_table->setColumnWidth(HeadActivationModel::TokenColumn, 90);
    m_table->setColumnWidth(HeadActivationModel::AblateColumn, 52);
    m_table->setColumnWidth(HeadActivationModel::ScaleColumn, 52);
    m_table->setColumnHidden(HeadActivationModel::TokenColumn, true);  // shown with all tokens (setMode)

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_mode);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);

    connect(m_filter, &QLineEdit::textChanged, this, &HeadListView::setFilterText);
    connect(m_filter, &QLineEdit::returnPressed, this, [this] { goToHead(m_filter->text()); });
    connect(m_mode, &QComboBox::currentIndexChanged, this,
        [this](int i) { setMode(i == 0 ? HeadActivationModel::Mode::AtToken : HeadActivationModel::Mode::AllTokens); });
    connect(m_model, &HeadActivationModel::interventionChanged, this, &HeadListView::interventionChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        const int head = m_model->headAt(m_proxy->mapToSource(current).row());
        if (head >= 0 && m_selection)
            m_selection->setLorsaHead(head);
    });
    if (m_selection) {
        m_model->setToken(m_selection->queryToken());
        connect(m_selection, &SelectionModel::changed, this, [this](SelectionModel::Field field) {
            if (field == SelectionModel::Field::QueryToken)
                m_model->setToken(m_selection->queryToken());
            if (field == SelectionModel::Field::QueryToken || field == SelectionModel::Field::LorsaHead)
                selectCurrentHead();
        });
    }
}

void HeadListView::setResult(const ExplorerResultPtr& result)
{
    // The table shows per-prompt data only; the detail of the selected head lives in other views.
    const auto analysis = result ? result->analysis : nullptr;
    if (analysis == m_analysis && analysis)
        return;
    m_analysis = analysis;
    m_model->setAnalysis(analysis);
    selectCurrentHead();
}

void HeadListView::setMode(HeadActivationModel::Mode mode)
{
    m_model->setMode(mode);
    // At the selected token every row would repeat that token.
    m_table->setColumnHidden(HeadActivationModel::TokenColumn, mode == HeadActivationModel::Mode::AtToken);
    const int index = mode == HeadActivationModel::Mode::AtToken ? 0 : 1;
    if (m_mode->currentIndex() != index)
        m_mode->setCurrentIndex(index);
    selectCurrentHead();
}

std::optional<int> HeadListView::headNumberIn(const QString& text)
{
    const QString trimmed = text.trimmed();
    const QString digits = trimmed.startsWith(QLatin1Char('#')) ? trimmed.mid(1) : trimmed;
    bool isNumber = false;
    const int head = digits.toInt(&isNumber);
    return isNumber && head >= 0 && !digits.startsWith(QLatin1Char('+')) ? std::optional<int>(head) : std::nullopt;
}

void HeadListView::setFilterText(const QString& text)
{
    // A number is a head: only that head, not every head whose number or tokens contain it.
    if (const auto head = headNumberIn(text)) {
        m_proxy->setFilterKeyColumn(HeadActivationModel::HeadColumn);
        m_proxy->setFilterRegularExpression(QRegularExpression(QStringLiteral("^%1$").arg(*head)));
    } else {
        m_proxy->setFilterKeyColumn(-1);
        m_proxy->setFilterFixedString(text);
    }
    if (m_filter->text() != text)
        m_filter->setText(text);
}

void HeadListView::goToHead(const QString& text)
{
    const auto head = headNumberIn(text);
    const int heads = m_analysis && m_analysis->session ? m_analysis->session->nOvHeads : 0;
    if (head && *head < heads && m_selection)
        m_selection->setLorsaHead(*head);  // also a head that is not active here
}

void HeadListView::selectCurrentHead()
{
    if (!m_selection)
        return;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->headAt(row) == m_selection->lorsaHead()) {
            const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
            if (index.isValid() && m_table->currentIndex().row() != index.row()) {
                const QSignalBlocker block(m_table->selectionModel());
                m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            }
            return;
        }
    }
}

void HeadListView::contextMenuEvent(QContextMenuEvent* event)
{
    QList<QAction*> actions;
    const QModelIndex index = m_table->indexAt(m_table->viewport()->mapFromGlobal(event->globalPos()));
    const int row = index.isValid() ? m_proxy->mapToSource(index).row() : -1;
    if (m_atlasAvailable && row >= 0) {
        const int head = m_model->headAt(row);
        auto* atlas = new QAction(tr("Show head %1 in the atlas").arg(head), this);
        connect(atlas, &QAction::triggered, this, [this, head] { Q_EMIT atlasRequested(head); });
        actions << atlas;
    }
    showExportMenu(this, *this, event->globalPos(), actions);
    qDeleteAll(actions);
}

double HeadListView::figureHeight(double width) const
{
    Q_UNUSED(width);
    return 24.0 + 18.0 * std::min(m_proxy->rowCount(), 40);
}

void HeadListView::renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme)
{
    // A plain table figure: header plus up to 40 rows as the proxy orders them.
    const std::array<int, 6> columns{HeadActivationModel::HeadColumn, HeadActivationModel::QkHeadColumn, HeadActivationModel::ActivationColumn,
        HeadActivationModel::ShareColumn, HeadActivationModel::TokenColumn, HeadActivationModel::PromotedColumn};
    const std::array<double, 6> widths{0.08, 0.06, 0.14, 0.1, 0.2, 0.42};
    painter.save();
    QFont font;
    font.setPointSizeF(8);
    painter.setFont(font);
    double y = rect.top() + 4;
    auto drawRow = [&](auto textOf, bool bold) {
        QFont f = font;
        f.setBold(bold);
        painter.setFont(f);
        double x = rect.left() + 4;
        for (size_t c = 0; c < columns.size(); ++c) {
            const double w = widths[c] * (rect.width() - 8);
            painter.drawText(QRectF(x, y, w - 4, 18), Qt::AlignLeft | Qt::AlignVCenter, textOf(columns[c]));
            x += w;
        }
        y += 18;
    };
    painter.setPen(theme.foreground);
    drawRow([this](int c) { return m_model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString(); }, true);
    painter.setPen(QPen(theme.faint, 0));
    painter.drawLine(QPointF(rect.left() + 4, y + 1), QPointF(rect.right() - 4, y + 1));
    painter.setPen(theme.foreground);
    for (int row = 0; row < std::min(m_proxy->rowCount(), 40); ++row)
        drawRow([this, row](int c) { return m_proxy->index(row, c).data().toString(); }, false);
    painter.restore();
}

DataTable HeadListView::figureData() const
{
    DataTable table;
    table.columns = {QStringLiteral("head"), QStringLiteral("qk_head"), QStringLiteral("qk_induction"), QStringLiteral("activation"),
        QStringLiteral("share"), QStringLiteral("token_position"), QStringLiteral("token"), QStringLiteral("scale")};
    // Token texts exactly as decoded (docs/EXPORTS.md); the table's display text is for the eye.
    const auto listOf = [this](const std::vector<std::vector<TokenScore>>& perHead, int head) {
        return head >= 0 && static_cast<size_t>(head) < perHead.size() ? &perHead[static_cast<size_t>(head)] : nullptr;
    };
    std::vector<const std::vector<TokenScore>*> promoted, suppressed, reads;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        auto value = [this, row](int column) { return m_proxy->index(row, column).data(HeadActivationModel::ValueRole); };
        const QVariant position = value(HeadActivationModel::TokenColumn);
        const size_t t = static_cast<size_t>(position.toLongLong());
        const QString token = m_analysis && position.isValid() && t < m_analysis->tokens.size()
                                  ? QString::fromUtf8(m_analysis->tokens[t].text.data(), static_cast<qsizetype>(m_analysis->tokens[t].text.size()))
                                  : QString();
        table.rows.append({value(HeadActivationModel::HeadColumn), value(HeadActivationModel::QkHeadColumn),
            value(HeadActivationModel::InductionColumn), value(HeadActivationModel::ActivationColumn),
            value(HeadActivationModel::ShareColumn), position, token, value(HeadActivationModel::ScaleColumn)});
        const int head = value(HeadActivationModel::HeadColumn).toInt();
        promoted.push_back(m_analysis ? listOf(m_analysis->headPromotedTokens, head) : nullptr);
        suppressed.push_back(m_analysis ? listOf(m_analysis->headSuppressedTokens, head) : nullptr);
        reads.push_back(m_analysis ? listOf(m_analysis->headValueTokens, head) : nullptr);
    }
    appendTokenScoreColumns(table, QStringLiteral("promoted"), promoted);
    appendTokenScoreColumns(table, QStringLiteral("suppressed"), suppressed);
    appendTokenScoreColumns(table, QStringLiteral("reads_from"), reads);
    table.meta = provenance(m_analysis.get(), figureName());
    table.meta[QStringLiteral("mode")] = m_model->mode() == HeadActivationModel::Mode::AtToken ? QStringLiteral("at_token") : QStringLiteral("all_tokens");
    table.meta[QStringLiteral("query_token")] = m_model->token();
    table.meta[QStringLiteral("promoted")] = QStringLiteral("top tokens of the head's w_o through the unembedding, logit effect as value");
    table.meta[QStringLiteral("suppressed")] = QStringLiteral("bottom tokens of the head's w_o through the unembedding, most negative logit effect first");
    table.meta[QStringLiteral("reads_from")] = QStringLiteral("top tokens whose embeddings drive the head's w_v, with that score as value");
    return table;
}

} // namespace lorsa
