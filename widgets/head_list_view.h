#pragma once
// The head table with a filter box and a mode switch (at the selected token / over all tokens).
// Selecting a row selects that Lorsa head; the selected query token drives the table.

#include "model/engine/analysis.h"
#include "widgets/analysis_view.h"
#include "widgets/head_activation_model.h"

#include <QPointer>
#include <optional>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace lorsa {

class SelectionModel;

class HeadListView : public QWidget, public AnalysisView {
    Q_OBJECT
public:
    explicit HeadListView(SelectionModel* selection, QWidget* parent = nullptr);

    void setResult(const ExplorerResultPtr& result) override;
    QWidget* widget() override { return this; }
    void setMode(HeadActivationModel::Mode mode);
    /// A head number ("12" or "#12") shows that head only; other text matches any column.
    void setFilterText(const QString& text);
    /// Selects the head whose number \p text is (Enter in the filter), active here or not.
    void goToHead(const QString& text);
    /// The head number \p text names, if it is one.
    static std::optional<int> headNumberIn(const QString& text);
    /// Whether an atlas of this Lorsa is open: the right-click menu then offers "Show head N in
    /// the atlas" (atlasRequested).
    void setAtlasAvailable(bool available) { m_atlasAvailable = available; }

    HeadActivationModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }

    double figureHeight(double width) const override;
    void renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme) override;
    DataTable figureData() const override;
    QString figureName() const override { return QStringLiteral("head-list"); }

Q_SIGNALS:
    void interventionChanged(const lorsa::HeadScales& headScales);
    void atlasRequested(int head);

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    void selectCurrentHead();

    QPointer<SelectionModel> m_selection;
    PromptAnalysisPtr m_analysis;
    HeadActivationModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_filter;
    QComboBox* m_mode;
    QTableView* m_table;
    bool m_atlasAvailable = false;
};

} // namespace lorsa
