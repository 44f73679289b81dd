#pragma once
// One head of an atlas, as a researcher reads it: what it is (QK head, how often and how strongly
// it fires, its QK head's scores, the MHSA head it resembles), the user's label, note and bookmark,
// its top contexts as token strips, the current context's z-pattern on its keys (the paper's view)
// with the keys that contributed most, the activation histogram, the tokens its output promotes and
// suppresses, and its QK head's pattern on the current context (computed by the engine on request).
// Its figure is the head card (HeadCardFigure), as `lorsa figure --view head-card` writes it.

#include "model/atlas/atlas_types.h"
#include "model/engine/explorer_session.h"
#include "widgets/figure_source.h"
#include "widgets/head_card_figure.h"

#include <QWidget>

#include <optional>
#include <vector>

class QCheckBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTableWidget;
class QTimer;

namespace lorsa {

class AtlasContextList;
class CellColorMap;

class AtlasHeadPage : public QWidget, public FigureSource {
    Q_OBJECT
public:
    /// Annotation edits are stored this long after the last keystroke (and at once on leaving a field).
    static constexpr int kSaveDelayMs = 400;

    explicit AtlasHeadPage(QWidget* parent = nullptr);

    /// Shows \p head with its \p contexts (best first); \p lorsaName titles the figure.
    void showHead(const AtlasHead& head, std::vector<AtlasContext> contexts, const QString& lorsaName);
    /// Shows \p message instead of a head (nothing open, an error).
    void showMessage(const QString& message);
    /// The QK pattern for the current context, when it is about the current head and context.
    void setContextPattern(const ContextPatternPtr& pattern);
    /// Stores a pending annotation edit now.
    void flushAnnotation();
    /// Shows a bookmark set elsewhere (the head list) without reporting it back.
    void setBookmark(bool bookmark);
    /// Off for an atlas that cannot be written: the editors are read-only and say why.
    void setEditable(bool editable, const QString& why = {});

    std::optional<int64_t> head() const;
    const AtlasContext* currentContext() const;
    AtlasContextList* contextList() const { return m_contexts; }
    QString message() const;
    /// What the page shows as text (header, top keys), for tests and accessibility.
    QString headerText() const;
    QString topKeysText() const;
    /// Rows of the promoted / suppressed token table.
    int tokenRows() const;
    /// Whether the QK pattern of the current context is shown.
    bool showsContextPattern() const;

    double figureHeight(double width) const override;
    void renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme) override;
    DataTable figureData() const override;
    QString figureName() const override { return QStringLiteral("head-card"); }

Q_SIGNALS:
    void annotationEdited(const lorsa::HeadAnnotation& annotation);
    /// "Send to prompt" (or a double-click on a context).
    void sendToPrompt(const lorsa::AtlasContext& context, qint64 head);
    /// The current context changed: its QK pattern is wanted (answer with setContextPattern).
    void contextPatternWanted(const std::vector<int64_t>& tokens, qint64 head);

protected:
    void changeEvent(QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    /// The head card of the current head (m_head set), as the figure export draws it.
    HeadCardFigure card() const;
    void currentContextChanged();
    void annotationTyped();
    void fillTokenTable();
    void applyTheme();

    QStackedWidget* m_stack;
    QLabel* m_message;
    QLabel* m_header;
    QLineEdit* m_label;
    QCheckBox* m_bookmark;
    QPlainTextEdit* m_note;
    AtlasContextList* m_contexts;
    QWidget* m_zStrip;
    QLabel* m_topKeys;
    QPushButton* m_send;
    QCustomPlot* m_histogram;
    QTableWidget* m_tokens;
    QCustomPlot* m_pattern;
    CellColorMap* m_patternMap = nullptr;
    QTimer* m_saveTimer;

    std::optional<AtlasHead> m_head;
    QString m_lorsaName;
    ContextPatternPtr m_contextPattern;
    bool m_filling = false;   // while showHead fills the editors: not a user edit
    bool m_annotationDirty = false;
};

} // namespace lorsa
