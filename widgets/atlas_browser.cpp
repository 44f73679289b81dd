#include "widgets/atlas_browser.h"

#include "model/atlas/atlas_file.h"
#include "model/atlas/atlas_labels.h"
#include "model/atlas/atlas_reader.h"
#include "model/core/error.h"
#include "widgets/atlas_head_filter.h"
#include "widgets/atlas_head_page.h"
#include "widgets/atlas_head_table_model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <unordered_set>

namespace lorsa {
namespace {

/// SQLite writes a journal beside the file: both the file and its folder must be writable.
bool canWrite(const QString& path)
{
    const QFileInfo file(path);
    return file.isWritable() && QFileInfo(file.absolutePath()).isWritable();
}

} // namespace

AtlasBrowser::AtlasBrowser(QWidget* parent)
    : QWidget(parent)
    , m_model(new AtlasHeadTableModel(this))
    , m_filter(new AtlasHeadFilter(this))
    , m_filterText(new QLineEdit(this))
    , m_filterMode(new QComboBox(this))
    , m_bookmarked(new QCheckBox(tr("Bookmarked"), this))
    , m_summaryLabel(new QLabel(this))
    , m_table(new QTableView(this))
    , m_page(new AtlasHeadPage(this))
    , m_filterTimer(new QTimer(this))
{
    m_filter->setSourceModel(m_model);
    m_filterText->setObjectName(QStringLiteral("atlasFilter"));
    m_filterText->setPlaceholderText(tr("Head number, label, note or token…"));
    m_filterText->setClearButtonEnabled(true);
    m_filterMode->addItem(tr("Label, note, peak"), int(FilterMode::Text));
    m_filterMode->addItem(tr("Any top context's peak token"), int(FilterMode::PeakToken));
    m_filterMode->setToolTip(tr("Text: a number goes to that head; other text matches the label, the note or the token the "
                                "strongest context peaks on.\nPeak token: heads any of whose top contexts peak on a token "
                                "containing the text, strongest first."));
    m_summaryLabel->setWordWrap(true);
    m_summaryLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_table->setModel(m_filter);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(AtlasHeadTableModel::Max, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    const auto& metrics = m_table->fontMetrics();
    const int digit = metrics.horizontalAdvance(QLatin1Char('0'));
    const std::pair<int, int> widths[] = {{AtlasHeadTableModel::Head, 6},     {AtlasHeadTableModel::Bookmark, 2},
                                          {AtlasHeadTableModel::Label, 12},   {AtlasHeadTableModel::TopToken, 8},
                                          {AtlasHeadTableModel::Frequency, 6}, {AtlasHeadTableModel::Max, 6},
                                          {AtlasHeadTableModel::QkHead, 7},   {AtlasHeadTableModel::Induction, 8},
                                          {AtlasHeadTableModel::PreviousToken, 9}, {AtlasHeadTableModel::SimilarMhsa, 8}};
    int listWidth = 0;
    for (const auto& [column, characters] : widths) {
        m_table->setColumnWidth(column, digit * characters + 12);
        listWidth += digit * characters + 12;
    }

    auto* labels = new QToolButton(this);
    labels->setText(tr("Labels"));
    labels->setPopupMode(QToolButton::InstantPopup);
    auto* labelsMenu = new QMenu(labels);
    labelsMenu->addAction(tr("Export labels…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export labels"), QStringLiteral("labels.json"),
                                                          tr("JSON (*.json);;CSV (*.csv)"));
        if (!path.isEmpty())
            exportLabels(path);
    });
    m_importLabels = labelsMenu->addAction(tr("Import labels…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import labels"), QString(), tr("Labels (*.json *.csv)"));
        if (!path.isEmpty())
            importLabels(path);
    });
    labels->setMenu(labelsMenu);
    labels->setToolTip(tr("Labels, notes and bookmarks as JSON or CSV (as lorsa atlas labels --export / --import)"));
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filterText, 1);
    filterRow->addWidget(m_filterMode);
    filterRow->addWidget(m_bookmarked);
    filterRow->addWidget(labels);
    auto* list = new QWidget(this);
    auto* listLayout = new QVBoxLayout(list);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addWidget(m_summaryLabel);
    listLayout->addLayout(filterRow);
    listLayout->addWidget(m_table, 1);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(list);
    splitter->addWidget(m_page);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({listWidth / 2 + 20, 1000});  // the list's first columns; the page takes the rest
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(kFilterDelayMs);
    connect(m_filterTimer, &QTimer::timeout, this, &AtlasBrowser::applyFilter);
    connect(m_filterText, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterText, &QLineEdit::returnPressed, this, &AtlasBrowser::applyFilter);
    connect(m_filterMode, &QComboBox::currentIndexChanged, this, &AtlasBrowser::applyFilter);
    connect(m_bookmarked, &QCheckBox::toggled, m_filter, &AtlasHeadFilter::setBookmarkedOnly);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AtlasBrowser::currentRowChanged);
    connect(m_page, &AtlasHeadPage::annotationEdited, this, &AtlasBrowser::storeAnnotation);
    connect(m_page, &AtlasHeadPage::sendToPrompt, this, &AtlasBrowser::sendToPrompt);
    connect(m_page, &AtlasHeadPage::contextPatternWanted, this, &AtlasBrowser::contextPatternWanted);
    connect(m_model, &AtlasHeadTableModel::bookmarkToggled, this, [this](qint64 head, bool bookmark) {
        const int row = m_model->rowOfHead(head);
        if (row < 0)
            return;
        const auto& entry = m_model->rows()[static_cast<size_t>(row)];
        storeAnnotation(HeadAnnotation{head, entry.label, entry.note, bookmark});
        if (m_page->head() == head)
            m_page->setBookmark(bookmark);
    });
    close(tr("No atlas is open. File → Open atlas… shows what every head does across a corpus; "
             "File → Build atlas… makes one from a corpus with the loaded model and Lorsa."));
}

AtlasBrowser::~AtlasBrowser()
{
    m_page->flushAnnotation();
}

void AtlasBrowser::open(const QString& path, const std::optional<AtlasIdentity>& loaded)
{
    const bool writable = canWrite(path);
    auto atlas = std::make_unique<AtlasFile>(path.toStdString(), writable ? AtlasFile::Access::ReadWrite : AtlasFile::Access::ReadOnly);
    requireComplete(*atlas);
    if (loaded)
        atlas->checkBuiltFrom(*loaded);
    auto summary = readAtlasSummary(*atlas);
    auto rows = readHeadRows(*atlas);
    m_page->flushAnnotation();  // into the atlas open before
    m_atlas = std::move(atlas);
    m_path = path;
    m_summary = std::move(summary);
    m_writable = writable;
    m_importLabels->setEnabled(writable);
    m_page->setEditable(writable, tr("This atlas file is read-only here (%1): labels and notes cannot be stored. "
                                     "Copy it somewhere writable to annotate it.")
                                      .arg(path));
    m_model->setRows(std::move(rows));
    m_filterText->clear();
    m_filter->setText({});
    m_filter->setHeads(std::nullopt);
    showSummary();
    m_table->sortByColumn(AtlasHeadTableModel::Max, Qt::DescendingOrder);
    if (m_filter->rowCount() > 0)
        m_table->setCurrentIndex(m_filter->index(0, 0));
    Q_EMIT atlasChanged();
}

void AtlasBrowser::close(const QString& message)
{
    m_page->showMessage(message);
    m_model->setRows({});
    m_atlas.reset();
    m_path.clear();
    m_summary = {};
    m_summaryLabel->setText(tr("No atlas"));
    Q_EMIT atlasChanged();
}

bool AtlasBrowser::builtFrom(const AtlasIdentity& identity) const
{
    return m_atlas && sameLorsa(m_summary.identity, identity);
}

void AtlasBrowser::showSummary()
{
    const auto& s = m_summary;
    const QLocale locale;
    m_summaryLabel->setText(tr("<b>%1</b>: %2 heads of %3 (layer %4) over %5 tokens of %6 documents, context %7, top %8; "
                               "%9 never fire")
                                .arg(QFileInfo(m_path).fileName().toHtmlEscaped())
                                .arg(locale.toString(static_cast<qlonglong>(s.identity.nOvHeads)))
                                .arg(QString::fromStdString(s.identity.lorsaName).toHtmlEscaped())
                                .arg(s.identity.layer)
                                .arg(locale.toString(static_cast<qlonglong>(s.tokensIndexed)))
                                .arg(locale.toString(static_cast<qlonglong>(s.documents)))
                                .arg(s.context)
                                .arg(s.top)
                                .arg(locale.toString(static_cast<qlonglong>(s.deadHeads))));
    m_summaryLabel->setToolTip(m_path);
}

void AtlasBrowser::setFilter(const QString& text, FilterMode mode)
{
    m_filterMode->setCurrentIndex(m_filterMode->findData(int(mode)));
    m_filterText->setText(text);
    applyFilter();
}

void AtlasBrowser::setBookmarkedOnly(bool only)
{
    m_bookmarked->setChecked(only);
}

void AtlasBrowser::applyFilter()
{
    m_filterTimer->stop();
    const QString text = m_filterText->text().trimmed();
    const auto mode = static_cast<FilterMode>(m_filterMode->currentData().toInt());
    if (mode == FilterMode::PeakToken && !text.isEmpty() && m_atlas) {
        std::unordered_set<qint64> heads;
        for (const auto& hit : searchByToken(*m_atlas, text.toStdString()))
            heads.insert(hit.head);
        m_filter->setText({});
        m_filter->setHeads(std::move(heads));
    } else {
        m_filter->setHeads(std::nullopt);
        m_filter->setText(text);
    }
    // A filter that leaves heads and hides the shown one moves to the first of them.
    if (m_filter->rowCount() > 0 && !m_table->currentIndex().isValid())
        m_table->setCurrentIndex(m_filter->index(0, 0));
}

void AtlasBrowser::showHead(int64_t head)
{
    int row = m_model->rowOfHead(head);
    if (row < 0)
        return;
    QModelIndex index = m_filter->mapFromSource(m_model->index(row, 0));
    if (!index.isValid()) {  // hidden by the filter: show every head
        m_filterText->clear();
        m_bookmarked->setChecked(false);
        applyFilter();
        index = m_filter->mapFromSource(m_model->index(row, 0));
    }
    m_table->setCurrentIndex(index);
    m_table->scrollTo(index);
}

void AtlasBrowser::currentRowChanged()
{
    const QModelIndex index = m_table->currentIndex();
    if (!m_atlas || !index.isValid())
        return;
    const auto head = index.data(AtlasHeadTableModel::kHeadRole).toLongLong();
    if (m_page->head() != head)
        showHeadPage(head);
}

void AtlasBrowser::showHeadPage(int64_t head)
{
    try {
        m_page->showHead(readAtlasHead(*m_atlas, head), readTopContexts(*m_atlas, head),
                         QString::fromStdString(m_summary.identity.lorsaName));
    } catch (const std::exception& error) {
        m_page->showMessage(tr("Head %1 cannot be read: %2").arg(head).arg(QString::fromUtf8(error.what())));
    }
}

void AtlasBrowser::storeAnnotation(const HeadAnnotation& annotation)
{
    if (!m_atlas)
        return;
    try {
        if (!m_writable)
            throw Error(ErrorKind::InvalidInput, m_path.toStdString() + " is read-only here");
        m_atlas->setAnnotation(annotation);
        m_model->setAnnotation(annotation);
    } catch (const std::exception& error) {
        Q_EMIT notice(tr("The label of head %1 was not stored: %2").arg(annotation.head).arg(QString::fromUtf8(error.what())));
    }
}

bool AtlasBrowser::exportLabels(const QString& path)
{
    if (!m_atlas)
        return false;
    m_page->flushAnnotation();
    try {
        const auto count = exportAnnotations(*m_atlas, path.toStdString());
        Q_EMIT notice(tr("%1 labelled heads written to %2").arg(count).arg(path));
        return true;
    } catch (const std::exception& error) {
        Q_EMIT notice(tr("The labels were not exported: %1").arg(QString::fromUtf8(error.what())));
        return false;
    }
}

bool AtlasBrowser::importLabels(const QString& path)
{
    if (!m_atlas || !m_writable)
        return false;
    m_page->flushAnnotation();
    try {
        importAnnotations(*m_atlas, path.toStdString());
        for (const auto& annotation : m_atlas->annotations())
            m_model->setAnnotation(annotation);
    } catch (const std::exception& error) {
        Q_EMIT notice(tr("The labels were not imported: %1").arg(QString::fromUtf8(error.what())));
        return false;
    }
    // The page shows the imported annotation of its head.
    if (const auto head = m_page->head())
        showHeadPage(*head);
    return true;
}

void AtlasBrowser::setContextPattern(const ContextPatternPtr& pattern)
{
    m_page->setContextPattern(pattern);
}

} // namespace lorsa
