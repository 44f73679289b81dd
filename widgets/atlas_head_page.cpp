#include "widgets/atlas_head_page.h"

#include "widgets/activation_histogram.h"
#include "widgets/atlas_context_list.h"
#include "widgets/context_strip.h"
#include "widgets/export_menu.h"
#include "widgets/frequency_text.h"
#include "widgets/head_card_figure.h"
#include "widgets/pattern_map.h"
#include "widgets/plot_style.h"
#include "widgets/token_layout.h"

#include <QCheckBox>
#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

namespace lorsa {
namespace {

constexpr int kTopKeys = 6;

/// The current context with each key shaded by its contribution to the peak.
class KeyStrip : public QWidget {
public:
    explicit KeyStrip(QWidget* parent)
        : QWidget(parent)
    {
        setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    }
    /// Shows the keys of \p context: its tokens up to the peak, where the z-pattern lives.
    void setContext(const AtlasContext* context)
    {
        m_keys.reset();
        if (context) {
            m_keys = *context;
            const auto keys = static_cast<size_t>(context->position) + 1;
            m_keys->tokenTexts.resize(std::min(m_keys->tokenTexts.size(), keys));
            m_keys->tokens.resize(std::min(m_keys->tokens.size(), keys));
            m_keys->activations.resize(std::min(m_keys->activations.size(), keys));
        }
        relayout();
    }

protected:
    void resizeEvent(QResizeEvent*) override { relayout(); }
    void paintEvent(QPaintEvent*) override
    {
        if (!m_keys)
            return;
        QPainter painter(this);
        const Theme theme = Theme::fromPalette(palette());
        painter.fillRect(rect(), theme.background);
        ContextStrip(*m_keys, font(), width()).paintZPattern(painter, QPointF(0, 0), theme);
    }

private:
    void relayout()
    {
        setFixedHeight(m_keys ? static_cast<int>(std::ceil(ContextStrip(*m_keys, font(), std::max(width(), 100)).height())) : 0);
        update();
    }

    std::optional<AtlasContext> m_keys;  // the current context cut after its peak
};

QString scoreText(double value)
{
    return QString::number(value, 'f', 2);
}

} // namespace

AtlasHeadPage::AtlasHeadPage(QWidget* parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
    , m_message(new QLabel(this))
    , m_header(new QLabel(this))
    , m_label(new QLineEdit(this))
    , m_bookmark(new QCheckBox(tr("Bookmark"), this))
    , m_note(new QPlainTextEdit(this))
    , m_contexts(new AtlasContextList(this))
    , m_zStrip(new KeyStrip(this))
    , m_topKeys(new QLabel(this))
    , m_send(new QPushButton(tr("Send to prompt"), this))
    , m_histogram(new QCustomPlot(this))
    , m_tokens(new QTableWidget(this))
    , m_pattern(new QCustomPlot(this))
    , m_saveTimer(new QTimer(this))
{
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::RichText);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_label->setObjectName(QStringLiteral("atlasLabel"));
    m_label->setPlaceholderText(tr("Label this head…"));
    m_note->setObjectName(QStringLiteral("atlasNote"));
    m_note->setPlaceholderText(tr("Notes"));
    m_note->setTabChangesFocus(true);
    m_note->setFixedHeight(m_note->fontMetrics().lineSpacing() * 2 + 10);
    m_topKeys->setWordWrap(true);
    m_topKeys->setTextFormat(Qt::RichText);
    m_send->setToolTip(tr("Analyse this context as the live prompt, with this head and the peak token selected (or double-click a context)"));
    m_send->setEnabled(false);

    auto* annotation = new QHBoxLayout;
    annotation->addWidget(m_label, 2);
    annotation->addWidget(m_note, 3);
    annotation->addWidget(m_bookmark, 0, Qt::AlignTop);

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_contexts);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto* selected = new QWidget(this);
    auto* selectedLayout = new QVBoxLayout(selected);
    selectedLayout->setContentsMargins(0, 0, 0, 0);
    auto* selectedTitle = new QHBoxLayout;
    auto* zTitle = new QLabel(tr("<b>Z pattern</b> — what each key contributed to the peak of the selected context"), this);
    zTitle->setWordWrap(true);
    selectedTitle->addWidget(zTitle, 1);
    selectedTitle->addWidget(m_send);
    selectedLayout->addLayout(selectedTitle);
    auto* keyScroll = new QScrollArea(this);
    keyScroll->setWidget(m_zStrip);
    keyScroll->setWidgetResizable(true);
    keyScroll->setFrameShape(QFrame::NoFrame);
    keyScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    keyScroll->setMinimumHeight(m_zStrip->fontMetrics().height() * 2 + 12);
    selectedLayout->addWidget(keyScroll);
    selectedLayout->addWidget(m_topKeys);
    selectedLayout->addStretch(1);

    auto* left = new QSplitter(Qt::Vertical, this);
    left->addWidget(scroll);
    left->addWidget(selected);
    left->setStretchFactor(0, 4);
    left->setStretchFactor(1, 1);

    m_tokens->setColumnCount(4);
    m_tokens->setHorizontalHeaderLabels({tr("Promotes"), tr("logit"), tr("Suppresses"), tr("logit")});
    m_tokens->verticalHeader()->hide();
    m_tokens->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tokens->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tokens->setToolTip(tr("The tokens this head's output raises and lowers most through the unembedding (its w_o times W_U)"));

    m_histogram->setMinimumHeight(90);
    m_histogram->setToolTip(tr("How often the head fires at each strength over the corpus"));
    m_pattern->setMinimumHeight(120);
    m_tokens->setMinimumHeight(60);
    m_pattern->plotLayout()->clear();
    auto* patternRect = new QCPAxisRect(m_pattern);
    m_pattern->plotLayout()->addElement(0, 0, new QCPTextElement(m_pattern, QString(), QFont(font().family(), 9, QFont::Bold)));
    m_pattern->plotLayout()->addElement(1, 0, patternRect);
    auto* scale = new QCPColorScale(m_pattern);
    scale->setType(QCPAxis::atRight);
    scale->setBarWidth(8);
    scale->setGradient(colourGradient(ColourScale::Kind::Sequential));
    scale->axis()->setLabel(tr("attention"));
    m_pattern->plotLayout()->addElement(1, 1, scale);
    m_pattern->plotLayout()->setRowStretchFactor(0, 0.01);
    m_pattern->plotLayout()->setColumnStretchFactor(1, 0.01);
    patternRect->axis(QCPAxis::atLeft)->setRangeReversed(true);
    patternRect->axis(QCPAxis::atBottom)->setTickLabelRotation(60);
    patternRect->axis(QCPAxis::atLeft)->setLabel(tr("query"));
    patternRect->axis(QCPAxis::atBottom)->setLabel(tr("key"));
    for (QCPAxis* axis : patternRect->axes())
        axis->grid()->setVisible(false);
    m_patternMap = new CellColorMap(patternRect->axis(QCPAxis::atBottom), patternRect->axis(QCPAxis::atLeft));
    m_patternMap->setColorScale(scale);

    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_histogram);
    right->addWidget(m_tokens);
    right->addWidget(m_pattern);
    right->setStretchFactor(0, 2);
    right->setStretchFactor(1, 2);
    right->setStretchFactor(2, 4);

    auto* columns = new QSplitter(Qt::Horizontal, this);
    columns->addWidget(left);
    columns->addWidget(right);
    columns->setStretchFactor(0, 3);
    columns->setStretchFactor(1, 2);

    auto* content = new QWidget(this);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(4, 4, 4, 4);
    contentLayout->addWidget(m_header);
    contentLayout->addLayout(annotation);
    contentLayout->addWidget(columns, 1);

    m_stack->addWidget(m_message);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    applyTheme();
    showMessage(tr("No atlas is open. File → Open atlas… shows what every head does across a corpus."));

    m_saveTimer->setSingleShot(true);
    m_saveTimer->setInterval(kSaveDelayMs);
    connect(m_saveTimer, &QTimer::timeout, this, &AtlasHeadPage::flushAnnotation);
    connect(m_label, &QLineEdit::textEdited, this, &AtlasHeadPage::annotationTyped);
    connect(m_label, &QLineEdit::editingFinished, this, &AtlasHeadPage::flushAnnotation);
    connect(m_note, &QPlainTextEdit::textChanged, this, &AtlasHeadPage::annotationTyped);
    connect(m_bookmark, &QCheckBox::toggled, this, [this] {
        if (m_filling)
            return;
        annotationTyped();
        flushAnnotation();
    });
    connect(m_contexts, &AtlasContextList::currentChanged, this, &AtlasHeadPage::currentContextChanged);
    connect(m_contexts, &AtlasContextList::activated, this, [this](int index) {
        if (m_head && index >= 0)
            Q_EMIT sendToPrompt(m_contexts->contexts()[static_cast<size_t>(index)], m_head->head);
    });
    connect(m_send, &QPushButton::clicked, this, [this] {
        if (m_head && currentContext())
            Q_EMIT sendToPrompt(*currentContext(), m_head->head);
    });
}

void AtlasHeadPage::showMessage(const QString& message)
{
    flushAnnotation();
    m_head.reset();
    m_contextPattern.reset();
    static_cast<KeyStrip*>(m_zStrip)->setContext(nullptr);
    m_contexts->setContexts({}, 1);
    m_message->setText(message);
    m_stack->setCurrentWidget(m_message);
}

QString AtlasHeadPage::message() const
{
    return m_stack->currentWidget() == m_message ? m_message->text() : QString();
}

void AtlasHeadPage::showHead(const AtlasHead& head, std::vector<AtlasContext> contexts, const QString& lorsaName)
{
    flushAnnotation();
    m_head = head;
    m_lorsaName = lorsaName;
    m_contextPattern.reset();
    QString header = tr("<b>Head %1</b> &nbsp;·&nbsp; QK head %2 &nbsp;·&nbsp; active at %3 of tokens (%4) &nbsp;·&nbsp; max %5, "
                        "mean when active %6")
                         .arg(head.head)
                         .arg(head.qkHead)
                         .arg(frequencyText(head.frequency))
                         .arg(head.activeCount)
                         .arg(head.max, 0, 'g', 4)
                         .arg(head.meanActive, 0, 'g', 4);
    header += tr("<br>QK head scores: induction %1, previous token %2, duplicate token %3, first token %4")
                  .arg(scoreText(head.scores.induction), scoreText(head.scores.previousToken), scoreText(head.scores.duplicateToken),
                       scoreText(head.scores.firstToken));
    if (head.similarMhsaHead >= 0)
        header += tr(" &nbsp;·&nbsp; closest MHSA head H%1 (JS distance %2)").arg(head.similarMhsaHead).arg(head.similarMhsaDistance, 0, 'f', 2);
    m_header->setText(header);
    m_filling = true;
    m_label->setText(QString::fromStdString(head.label));
    m_note->setPlainText(QString::fromStdString(head.note));
    m_bookmark->setChecked(head.bookmark);
    m_filling = false;
    m_annotationDirty = false;

    fillTokenTable();
    applyPlotTheme(m_histogram, Theme::fromPalette(palette()));
    plotActivationHistogram(m_histogram, head, Theme::fromPalette(palette()));
    m_histogram->replot();
    m_stack->setCurrentIndex(1);
    m_contexts->setContexts(std::move(contexts), head.max);  // emits currentChanged: the z strip and the pattern follow
}

void AtlasHeadPage::fillTokenTable()
{
    const auto& promoted = m_head->promoted;
    const auto& suppressed = m_head->suppressed;
    const auto rows = std::max(promoted.size(), suppressed.size());
    m_tokens->clearContents();
    m_tokens->setRowCount(static_cast<int>(rows));
    auto put = [this](size_t row, int column, const std::vector<TokenScore>& scores) {
        if (row >= scores.size())
            return;
        auto* token = new QTableWidgetItem(displayToken(scores[row].text));
        token->setToolTip(QStringLiteral("“%1” (id %2)").arg(QString::fromStdString(scores[row].text)).arg(scores[row].id));
        m_tokens->setItem(static_cast<int>(row), column, token);
        auto* value = new QTableWidgetItem(QString::number(scores[row].score, 'f', 3));
        value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_tokens->setItem(static_cast<int>(row), column + 1, value);
    };
    for (size_t row = 0; row < rows; ++row) {
        put(row, 0, promoted);
        put(row, 2, suppressed);
    }
}

void AtlasHeadPage::currentContextChanged()
{
    const AtlasContext* context = currentContext();
    static_cast<KeyStrip*>(m_zStrip)->setContext(context);
    m_send->setEnabled(context != nullptr);
    m_contextPattern.reset();
    m_patternMap->data()->clear();
    static_cast<QCPTextElement*>(m_pattern->plotLayout()->element(0, 0))->setText(QString());
    m_pattern->replot();
    if (!context) {
        m_topKeys->clear();
        return;
    }
    // The keys that fed the peak most, by |contribution|.
    std::vector<size_t> order(context->zPattern.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [context](size_t a, size_t b) { return std::abs(context->zPattern[a]) > std::abs(context->zPattern[b]); });
    QStringList keys;
    for (size_t i = 0; i < order.size() && i < static_cast<size_t>(kTopKeys); ++i)
        keys << QStringLiteral("“%1”<sub>%2</sub> %3")
                    .arg(displayToken(context->tokenTexts[order[i]]).toHtmlEscaped())
                    .arg(order[i])
                    .arg(double(context->zPattern[order[i]]), 0, 'f', 3);
    m_topKeys->setText(tr("Top keys: ") + keys.join(QStringLiteral(" &nbsp; ")));
    if (m_head)
        Q_EMIT contextPatternWanted(context->tokens, m_head->head);
}

void AtlasHeadPage::setContextPattern(const ContextPatternPtr& pattern)
{
    const AtlasContext* context = currentContext();
    if (!pattern || !m_head || !context || pattern->lorsaHead != m_head->head || pattern->tokens != context->tokens)
        return;
    m_contextPattern = pattern;
    const auto range = fillPatternMap(m_patternMap, pattern->pattern, true, tr("QK pattern"));
    m_patternMap->setDataRange(QCPRange(0, range.valid && range.upper > 0 ? range.upper : 1));
    auto* rect = m_pattern->axisRect();
    const int n = static_cast<int>(pattern->tokens.size());
    QStringList labels;
    for (const auto& text : context->tokenTexts)
        labels << displayToken(text);
    for (QCPAxis* axis : {rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft)}) {
        axis->setRange(-0.5, n - 0.5);
        setTokenTicks(axis, labels);
    }
    static_cast<QCPTextElement*>(m_pattern->plotLayout()->element(0, 0))
        ->setText(tr("QK head %1 on context #%2").arg(pattern->qkHead).arg(context->rank));
    m_pattern->replot();
}

bool AtlasHeadPage::showsContextPattern() const
{
    return m_contextPattern != nullptr;
}

std::optional<int64_t> AtlasHeadPage::head() const
{
    return m_head ? std::optional<int64_t>(m_head->head) : std::nullopt;
}

const AtlasContext* AtlasHeadPage::currentContext() const
{
    const int index = m_contexts->current();
    return index >= 0 ? &m_contexts->contexts()[static_cast<size_t>(index)] : nullptr;
}

QString AtlasHeadPage::headerText() const
{
    return m_header->text();
}

QString AtlasHeadPage::topKeysText() const
{
    return m_topKeys->text();
}

int AtlasHeadPage::tokenRows() const
{
    return m_tokens->rowCount();
}

void AtlasHeadPage::annotationTyped()
{
    if (m_filling || !m_head)
        return;
    m_annotationDirty = true;
    m_saveTimer->start();
}

void AtlasHeadPage::flushAnnotation()
{
    m_saveTimer->stop();
    if (!m_annotationDirty || !m_head)
        return;
    m_annotationDirty = false;
    m_head->label = m_label->text().toStdString();
    m_head->note = m_note->toPlainText().toStdString();
    m_head->bookmark = m_bookmark->isChecked();
    Q_EMIT annotationEdited(HeadAnnotation{m_head->head, m_head->label, m_head->note, m_head->bookmark});
}

void AtlasHeadPage::setBookmark(bool bookmark)
{
    if (!m_head)
        return;
    m_head->bookmark = bookmark;
    m_filling = true;
    m_bookmark->setChecked(bookmark);
    m_filling = false;
}

void AtlasHeadPage::setEditable(bool editable, const QString& why)
{
    m_label->setReadOnly(!editable);
    m_note->setReadOnly(!editable);
    m_bookmark->setEnabled(editable);
    for (QWidget* editor : std::initializer_list<QWidget*>{m_label, m_note, m_bookmark})
        editor->setToolTip(editable ? QString() : why);
}

void AtlasHeadPage::applyTheme()
{
    const Theme theme = Theme::fromPalette(palette());
    applyPlotTheme(m_histogram, theme);
    applyPlotTheme(m_pattern, theme);
    if (m_head)
        plotActivationHistogram(m_histogram, *m_head, theme);
    m_histogram->replot();
    m_pattern->replot();
}

void AtlasHeadPage::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
}

void AtlasHeadPage::contextMenuEvent(QContextMenuEvent* event)
{
    if (m_head)
        showExportMenu(this, *this, event->globalPos());
}

HeadCardFigure AtlasHeadPage::card() const
{
    HeadCardData data;
    data.head = *m_head;
    data.contexts = m_contexts->contexts();
    data.title = m_lorsaName;
    return HeadCardFigure(std::move(data));
}

double AtlasHeadPage::figureHeight(double width) const
{
    return m_head ? card().figureHeight(width) : 100.0;
}

void AtlasHeadPage::renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme)
{
    if (m_head)
        card().renderFigure(painter, rect, theme);
}

DataTable AtlasHeadPage::figureData() const
{
    return m_head ? card().figureData() : DataTable{};
}

} // namespace lorsa
