#include "app/explorer/main_window.h"

#include "model/core/cuda_devices.h"
#include "app/explorer/intervention_panel.h"
#include "app/explorer/load_messages.h"
#include "app/explorer/load_status.h"
#include "app/explorer/message_banner.h"
#include "app/explorer/worker_thread.h"
#include "model/engine/prompt_tokens.h"
#include "widgets/empty_state_cover.h"
#include "widgets/fidelity_panel.h"
#include "widgets/head_list_view.h"
#include "widgets/live_head_card.h"
#include "widgets/pattern_map_view.h"
#include "widgets/results_model.h"
#include "widgets/selection_model.h"
#include "widgets/token_heatmap_view.h"
#include "widgets/z_pattern_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QShortcut>
#include <QScrollArea>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

namespace lorsa {
namespace {

QDockWidget* dock(QMainWindow* window, const QString& title, const QString& name, QWidget* content, Qt::DockWidgetArea area)
{
    auto* widget = new QDockWidget(title, window);
    widget->setObjectName(name);  // restoreState() finds docks by name
    widget->setWidget(content);
    window->addDockWidget(area, widget);
    return widget;
}

} // namespace

MainWindow::MainWindow(const ExplorerOptions& options, QWidget* parent)
    : QMainWindow(parent)
    , m_worker(new WorkerThread(this))
    , m_selection(new SelectionModel(this))
    , m_results(new ResultsModel([this](quint64 generation) { return m_worker->isCurrent(AnalysisWorker::Channel::View, generation); },
                                 this))
    , m_options(options)
{
    setWindowTitle(tr("Lorsa Explorer"));
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    // First of all the result's selection, so that the views (connected in buildViews) draw both.
    connect(m_results, &ResultsModel::changed, this, &MainWindow::applyResult);
    buildViews();
    buildToolBar();
    buildMenus();
    connectWorker();
    restoreSettings();

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(m_prompt, &QPlainTextEdit::textChanged, &m_debounce, qOverload<>(&QTimer::start));
    connect(&m_debounce, &QTimer::timeout, this, &MainWindow::requestAnalysis);
    connect(m_selection, &SelectionModel::changed, this, [this](SelectionModel::Field field) { selectionChanged(static_cast<int>(field)); });
    connect(m_intervention, &InterventionPanel::resetRequested, this, [this] { m_headList->model()->setHeadScales({}); });
    connect(m_headList, &HeadListView::interventionChanged, this, [this](const HeadScales& scales) {
        m_scales.clear();
        for (const auto& [head, scale] : scales)
            m_scales[head] = scale;
        requestIntervention();
    });

    // Each says what it does: the Help menu lists them from here.
    auto shortcut = [this](const QKeySequence& keys, const QString& what, auto slot) {
        auto* s = new QShortcut(keys, this);
        s->setWhatsThis(what);
        connect(s, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::Key_Left), tr("Query token: previous"), [this] { moveToken(-1); });
    shortcut(QKeySequence(Qt::Key_Right), tr("Query token: next"), [this] { moveToken(+1); });
    shortcut(QKeySequence(Qt::Key_N), tr("Next active head at the query token"), [this] { moveHead(+1); });
    shortcut(QKeySequence(Qt::Key_P), tr("Previous active head at the query token"), [this] { moveHead(-1); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Down), tr("Next active head at the query token"), [this] { moveHead(+1); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Up), tr("Previous active head at the query token"), [this] { moveHead(-1); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_L), tr("Edit the prompt"), [this] { m_prompt->setFocus(Qt::ShortcutFocusReason); });

    if (options.hasText)
        m_prompt->setPlainText(options.text);
    if (!options.modelDir.isEmpty())
        openFolders(options.modelDir, options.lorsaDir);
    updateStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildViews()
{
    m_prompt = new QPlainTextEdit(this);
    m_prompt->setObjectName(QStringLiteral("prompt"));
    m_prompt->setPlaceholderText(tr("Type a prompt… (Ctrl+L)"));
    m_prompt->setTabChangesFocus(true);
    m_prompt->viewport()->installEventFilter(this);
    m_banner = new MessageBanner(this);
    m_heatmap = new TokenHeatmapView(m_selection, this);

    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_banner);
    topLayout->addWidget(m_prompt);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(top);
    splitter->addWidget(m_heatmap);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    setCentralWidget(splitter);

    m_headList = new HeadListView(m_selection, this);
    m_patterns = new PatternMapView(m_selection, this);
    m_zPattern = new ZPatternView(m_selection, this);
    m_fidelity = new FidelityPanel(this);
    m_headCard = new LiveHeadCard(this);
    m_intervention = new InterventionPanel(this);
    m_views = {m_heatmap, m_headList, m_patterns, m_zPattern, m_fidelity, m_headCard};
    for (AnalysisView* view : m_views) {
        auto* cover = new EmptyStateCover(view);
        m_covers.push_back(cover);
        connect(m_results, &ResultsModel::changed, this, [cover](const ExplorerResultPtr& result) { cover->setResult(result); });
    }
    connect(m_results, &ResultsModel::changed, this, &MainWindow::announceResult);  // last: the views have drawn
    auto* heads = dock(this, tr("Lorsa heads"), QStringLiteral("headsDock"), m_headList, Qt::LeftDockWidgetArea);
    auto* intervention = dock(this, tr("Intervention"), QStringLiteral("interventionDock"), m_intervention, Qt::LeftDockWidgetArea);
    dock(this, tr("QK patterns: Lorsa vs MHSA"), QStringLiteral("patternsDock"), m_patterns, Qt::BottomDockWidgetArea);
    auto* z = dock(this, tr("Z pattern"), QStringLiteral("zPatternDock"), m_zPattern, Qt::RightDockWidgetArea);
    auto* fidelity = dock(this, tr("Fidelity"), QStringLiteral("fidelityDock"), m_fidelity, Qt::RightDockWidgetArea);
    auto* cardScroll = new QScrollArea(this);
    cardScroll->setWidgetResizable(true);
    cardScroll->setWidget(m_headCard);
    tabifyDockWidget(z, dock(this, tr("Head card"), QStringLiteral("headCardDock"), cardScroll, Qt::RightDockWidgetArea));
    z->raise();
    QDockWidget* atlas = buildAtlasDock();
    tabifyDockWidget(findChild<QDockWidget*>(QStringLiteral("patternsDock")), atlas);
    findChild<QDockWidget*>(QStringLiteral("patternsDock"))->raise();
    splitDockWidget(heads, intervention, Qt::Vertical);
    splitDockWidget(z, fidelity, Qt::Vertical);
    // The first-run layout: a short prompt, room for the pattern maps and a head table wide
    // enough for its token columns. Deferred until the window has its size; a saved layout wins.
    QTimer::singleShot(0, this, [this, splitter, heads, intervention, patterns = findChild<QDockWidget*>(QStringLiteral("patternsDock")), z, fidelity] {
        if (m_restoredLayout)
            return;
        const int promptHeight = m_prompt->fontMetrics().lineSpacing() * 5 + 2 * m_prompt->frameWidth() + 8;
        splitter->setSizes({promptHeight, std::max(200, splitter->height() - promptHeight)});
        resizeDocks({heads, z}, {width() * 7 / 20, width() * 3 / 10}, Qt::Horizontal);
        resizeDocks({patterns}, {height() * 2 / 5}, Qt::Vertical);
        resizeDocks({heads, intervention, z, fidelity}, {height() * 2 / 5, height() / 5, height() / 2, height() / 5}, Qt::Vertical);
    });

    m_loadStatus = new LoadStatus(this);
    connect(m_loadStatus, &LoadStatus::cancelRequested, m_worker, &WorkerThread::cancelLoad);
    m_deviceLabel = new QLabel(this);
    m_timeLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_loadStatus);
    statusBar()->addPermanentWidget(m_deviceLabel);
    statusBar()->addPermanentWidget(m_timeLabel);
}

void MainWindow::buildToolBar()
{
    auto* bar = addToolBar(tr("Analysis"));
    bar->setObjectName(QStringLiteral("analysisToolBar"));
    m_device = new QComboBox(this);
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA"), QStringLiteral("cuda"));
    if (cudaDeviceCount() == 0) {
        auto* items = qobject_cast<QStandardItemModel*>(m_device->model());
        items->item(1)->setEnabled(false);
        items->item(1)->setToolTip(tr("No CUDA GPU is available to LibTorch"));
    }
    m_dtype = new QComboBox(this);
    m_dtype->setObjectName(QStringLiteral("precision"));
    for (const auto& name : precisionNames())
        m_dtype->addItem(name, name);
    m_dtype->setToolTip(automaticPrecisionText());
    m_bos = new QCheckBox(tr("Prepend BOS"), this);
    m_bos->setObjectName(QStringLiteral("prependBos"));
    m_bos->setChecked(true);
    m_quantity = new QComboBox(this);
    m_quantity->setObjectName(QStringLiteral("heatmapQuantity"));
    m_quantity->addItem(tr("Head activation"), int(HeatmapQuantity::HeadActivation));
    m_quantity->addItem(tr("Active heads (L0)"), int(HeatmapQuantity::ActiveHeadCount));
    m_quantity->addItem(tr("Lorsa attention from query"), int(HeatmapQuantity::LorsaAttention));
    m_quantity->addItem(tr("MHSA attention from query"), int(HeatmapQuantity::MhsaAttention));
    bar->addWidget(new QLabel(tr(" Device "), this));
    bar->addWidget(m_device);
    bar->addWidget(new QLabel(tr(" Precision "), this));
    bar->addWidget(m_dtype);
    bar->addSeparator();
    bar->addWidget(m_bos);
    bar->addSeparator();
    m_layer = new QComboBox(this);
    m_layer->setObjectName(QStringLiteral("lorsaLayer"));
    auto* layerBox = new QWidget(this);
    auto* layerRow = new QHBoxLayout(layerBox);
    layerRow->setContentsMargins(0, 0, 0, 0);
    m_layerLabel = new QLabel(layerBox);
    layerRow->addWidget(m_layerLabel);
    layerRow->addWidget(m_layer);
    m_layerAction = bar->addWidget(layerBox);
    m_layerAction->setObjectName(QStringLiteral("lorsaLayerAction"));
    m_layerAction->setVisible(false);
    connect(m_layer, &QComboBox::activated, this, &MainWindow::switchLayer);
    bar->addWidget(new QLabel(tr(" Colour tokens by "), this));
    bar->addWidget(m_quantity);

    auto reload = [this] {
        // float16 has no CPU matmul in this LibTorch: offer it on CUDA only.
        auto* items = qobject_cast<QStandardItemModel*>(m_dtype->model());
        const bool cpu = m_device->currentData().toString() == QStringLiteral("cpu");
        items->item(m_dtype->findData(QStringLiteral("float16")))->setEnabled(!cpu);
        if (!m_modelDir.isEmpty())
            openFolders(m_modelDir, m_lorsaDir);
    };
    connect(m_device, &QComboBox::activated, this, reload);
    connect(m_dtype, &QComboBox::activated, this, reload);
    connect(m_bos, &QCheckBox::toggled, this, &MainWindow::requestAnalysis);
    connect(m_quantity, &QComboBox::currentIndexChanged, this,
            [this](int) { m_selection->setQuantity(static_cast<HeatmapQuantity>(m_quantity->currentData().toInt())); });
}

void MainWindow::connectWorker()
{
    auto* worker = m_worker->worker();
    connect(worker, &AnalysisWorker::loadProgress, this, [this](quint64 generation, double fraction, const QString& stage) {
        if (generation == m_loadGeneration)
            m_loadStatus->setProgress(fraction, stage);
    });
    connect(worker, &AnalysisWorker::loadCancelled, this, [this](quint64 generation) {
        if (generation != m_loadGeneration)
            return;
        m_loadStatus->finish();
        statusBar()->showMessage(tr("Loading cancelled"), 5000);
    });
    connect(worker, &AnalysisWorker::loaded, this, [this](quint64 generation, const SessionInfo& info) {
        if (generation != m_loadGeneration)
            return;
        m_loadStatus->finish();
        m_info = info;
        m_loaded = true;
        m_modelDir = m_pendingModelDir;
        m_lorsaDir = m_pendingLorsaDir;
        addRecent(m_modelDir, m_lorsaDir);
        m_selection->setLayer(info.layer);
        m_newSession = true;
        if (!m_results->current())
            for (EmptyStateCover* cover : m_covers)
                cover->showEmpty(EmptyReason::NotAnalysed);
        if (info.nOvHeads == 0)
            m_intervention->clear(emptyStateText(EmptyReason::NeedsLorsa));
        atlasSessionChanged(generation);
        showSessionInfo();
        if (!info.inputMode.empty())
            statusBar()->showMessage(QString::fromStdString(info.inputMode), 10000);
        updateStatus();
        Q_EMIT sessionLoaded();
        requestAnalysis();
    });
    connect(worker, &AnalysisWorker::resultReady, m_results, &ResultsModel::offer);
    connect(worker, &AnalysisWorker::interventionReady, this, [this](const InterventionResultPtr& result) {
        if (m_worker->isCurrent(AnalysisWorker::Channel::Intervention, result->generation))
            m_intervention->setResult(result);
    });
    connect(worker, &AnalysisWorker::failed, this, &MainWindow::showError);
}

void MainWindow::setPrefixReuse(bool reuse)
{
    m_worker->setPrefixReuse(reuse);
}

PromptAnalysisPtr MainWindow::analysis() const
{
    return m_results->current() ? m_results->current()->analysis : nullptr;
}

HeadDetailPtr MainWindow::headDetail() const
{
    return m_results->current() ? m_results->current()->detail : nullptr;
}

Selection MainWindow::currentSelection() const
{
    Selection selection;
    selection.queryToken = m_selection->queryToken();
    selection.lorsaHead = m_selection->lorsaHead();
    if (!m_mhsaAuto)
        selection.mhsaHead = m_selection->mhsaHead();
    return selection;
}

void MainWindow::requestAnalysis()
{
    m_debounce.stop();
    const QString text = m_prompt->toPlainText();
    if (m_loaded && text.isEmpty()) {
        // An emptied prompt: the views say so rather than keep the last one's plots or error.
        m_worker->cancel(AnalysisWorker::Channel::View);
        m_analysisInFlight = false;
        m_results->clear();
        return;
    }
    if (!m_loaded)
        return;
    SelectionIntent intent;
    intent.query = m_followEnd ? SelectionIntent::Query::FollowEnd : SelectionIntent::Query::Keep;
    if (m_newSession)
        intent.head = m_options.startOnInductionHead ? SelectionIntent::Head::StrongestInduction : SelectionIntent::Head::StrongestAtQuery;
    intent.selection = currentSelection();
    m_requestedSelection = intent.selection;
    m_analysisInFlight = true;
    m_requestClock.start();
    m_worker->explore(text, m_bos->isChecked(), intent);
}

void MainWindow::requestSelection()
{
    // While an analysis runs its result is checked against the selection when it arrives.
    const auto& current = m_results->current();
    if (!current || m_analysisInFlight || m_info.nOvHeads == 0)
        return;
    const auto selection = currentSelection();
    if (selection == current->selection)
        return;
    m_requestClock.start();
    m_worker->reselect(current, selection);
}

void MainWindow::requestIntervention()
{
    const auto current = analysis();
    if (!current || m_info.nOvHeads == 0)
        return;
    if (m_scales.empty()) {
        m_worker->cancel(AnalysisWorker::Channel::Intervention);  // a result in flight is stale now
        m_intervention->clear(tr("Tick “Ablate” or change “Scale” of heads in the head list to see how the next-token probabilities change."));
        return;
    }
    m_worker->intervene(current->generation, m_scales, m_selection->queryToken());
}

void MainWindow::applyResult(const ExplorerResultPtr& result, bool newPrompt)
{
    if (!result)
        return;
    const bool answersAnalysis = result->analysis->generation == result->generation;
    const bool userChangedSelection = answersAnalysis && currentSelection() != m_requestedSelection;
    if (answersAnalysis) {
        m_analysisInFlight = false;
        m_newSession = false;
        m_options.startOnInductionHead = false;
        if (m_bannerFromAnalysis)
            m_banner->hide();
        // Not errors: the views show what was analysed, and the banner says what to keep in mind.
        QStringList notes;
        if (result->analysis->truncatedFrom > 0)
            notes << QString::fromStdString(
                truncationNotice(result->analysis->truncatedFrom, static_cast<int64_t>(result->analysis->tokens.size())));
        if (result->analysis->session->nOvHeads > 0)
            notes << fidelityWarning(result->analysis->fidelity, result->analysis->session->layer);
        notes.removeAll(QString());
        if (!notes.isEmpty()) {
            m_banner->showMessage(notes.join(QLatin1Char(' ')));
            m_bannerFromAnalysis = true;
        }
    }
    // The user's clicks while the analysis ran win over what the request resolved; equal values
    // set here are what the current result shows, so selectionChanged() asks for nothing.
    if (!userChangedSelection) {
        const auto& selection = result->selection;
        m_mhsaAuto = !selection.mhsaHead;
        m_selection->setLorsaHead(selection.lorsaHead);
        m_selection->setQueryToken(selection.queryToken);
        if (result->detail)
            m_selection->setMhsaHead(result->detail->mhsaHead);
        m_followEnd = selection.queryToken == static_cast<int>(result->analysis->tokens.size()) - 1;
    }
    m_lastShownMs = m_requestClock.isValid() ? m_requestClock.nsecsElapsed() / 1e6 : 0;
    updateStatus();
    if (newPrompt && !m_scales.empty())
        requestIntervention();
    if (userChangedSelection)
        requestSelection();
}

void MainWindow::announceResult(const ExplorerResultPtr& result, bool newPrompt)
{
    if (!result)
        return;
    if (newPrompt)
        Q_EMIT analysisShown();
    if (result->detail)
        Q_EMIT headDetailShown();
}

void MainWindow::showError(quint64 generation, const QString& message)
{
    using Channel = AnalysisWorker::Channel;
    if (generation == m_loadGeneration && m_worker->isCurrent(Channel::Load, generation)) {
        m_loadStatus->finish();
        m_banner->showMessage(loadErrorText(m_pendingModelDir, m_pendingLorsaDir, message));
        m_bannerFromAnalysis = false;
    } else if (m_worker->isCurrent(Channel::View, generation) || m_worker->isCurrent(Channel::Intervention, generation)) {
        if (m_worker->isCurrent(Channel::View, generation)) {
            m_analysisInFlight = false;
            // No plots of an earlier prompt under an error about this one.
            m_results->clear();
            for (EmptyStateCover* cover : m_covers)
                cover->showEmpty(EmptyReason::AnalysisFailed);
        }
        m_banner->showMessage(message);
        m_bannerFromAnalysis = true;
    } else {
        return;  // about a request that has been superseded
    }
    Q_EMIT errorShown(message);
}

void MainWindow::selectionChanged(int field)
{
    // A value equal to what the current result shows was put there by applyResult().
    const auto& current = m_results->current();
    if (!current)
        return;
    switch (static_cast<SelectionModel::Field>(field)) {
    case SelectionModel::Field::LorsaHead:
        if (m_selection->lorsaHead() == current->selection.lorsaHead)
            return;
        m_mhsaAuto = true;
        requestSelection();
        break;
    case SelectionModel::Field::MhsaHead:
        if (current->detail && m_selection->mhsaHead() == current->detail->mhsaHead)
            return;
        m_mhsaAuto = false;
        requestSelection();
        break;
    case SelectionModel::Field::QueryToken:
        if (m_selection->queryToken() == current->selection.queryToken)
            return;
        m_followEnd = m_selection->queryToken() == static_cast<int>(current->analysis->tokens.size()) - 1;
        requestSelection();
        if (!m_scales.empty())
            requestIntervention();
        break;
    default:
        break;
    }
}

void MainWindow::moveToken(int step)
{
    const auto current = analysis();
    if (!current || current->tokens.empty())
        return;
    const int last = static_cast<int>(current->tokens.size()) - 1;
    m_selection->setQueryToken(std::clamp(m_selection->queryToken() + step, 0, last));
}

void MainWindow::moveHead(int step)
{
    const auto current = analysis();
    if (!current || current->active.empty())
        return;
    const auto& active = current->active[static_cast<size_t>(std::clamp<int>(m_selection->queryToken(), 0, int(current->active.size()) - 1))];
    if (active.empty())
        return;
    const auto selected = std::find_if(active.begin(), active.end(), [&](const HeadActivation& a) { return a.head == m_selection->lorsaHead(); });
    const int count = static_cast<int>(active.size());
    const int index = selected == active.end() ? (step > 0 ? 0 : count - 1) : (int(selected - active.begin()) + step + count) % count;
    m_selection->setLorsaHead(active[static_cast<size_t>(index)].head);
}

void MainWindow::showSessionInfo()
{
    const auto model = QString::fromStdString(m_info.modelName);
    setWindowTitle(m_info.lorsaName.empty() ? tr("%1 — Lorsa Explorer").arg(model)
                                            : tr("%1 + %2 (layer %3) — Lorsa Explorer")
                                                  .arg(model, QString::fromStdString(m_info.lorsaName))
                                                  .arg(m_info.layer));
    // The layer selector lists the set's Lorsas (a single Lorsa needs none) or, without a Lorsa,
    // the model's layers whose attention the maps show. Each item holds its layer and variant.
    m_layer->clear();
    const bool modelOnly = m_info.lorsaName.empty();
    if (modelOnly) {
        for (int32_t layer = 0; layer < m_info.nLayers; ++layer)
            m_layer->addItem(tr("layer %1").arg(layer), QVariantList{layer, QString()});
        m_layer->setCurrentIndex(m_info.layer);
    }
    for (const auto& offer : m_info.lorsaOffers) {
        m_layer->addItem(tr("layer %1 · %2").arg(offer.layer).arg(QString::fromStdString(offer.variant)),
                         QVariantList{offer.layer, QString::fromStdString(offer.variant)});
        if (offer.path == m_info.lorsaPath)
            m_layer->setCurrentIndex(m_layer->count() - 1);
    }
    // Without a Lorsa the tokens are coloured by the selected MHSA head's attention only, and the
    // QK view shows that head alone.
    m_quantity->setEnabled(!modelOnly);
    if (auto* patterns = findChild<QDockWidget*>(QStringLiteral("patternsDock")))
        patterns->setWindowTitle(modelOnly ? tr("QK patterns: MHSA") : tr("QK patterns: Lorsa vs MHSA"));
    m_layerLabel->setText(modelOnly ? tr(" MHSA of ") : tr(" Lorsa "));
    m_layer->setToolTip(modelOnly ? tr("The model layer whose attention heads the maps show (no Lorsa loaded)")
                                  : tr("The Lorsa of another layer from the opened set (loaded on the worker; the model stays)"));
    m_layerAction->setVisible(m_layer->count() > 1);
    // Which token "Prepend BOS" adds matters: Qwen tokenizers add none themselves, and the
    // Lorsas of a release were trained with one convention or the other.
    const auto bos = QString::fromStdString(m_info.bosToken);
    m_bos->setEnabled(!bos.isEmpty());
    m_bos->setText(bos.isEmpty() ? tr("No BOS token") : tr("Prepend BOS %1").arg(bos));
    m_bos->setToolTip(bos.isEmpty() ? tr("The model defines no BOS token")
                                    : tr("Prepend %1 to the prompt (unless the tokenizer already starts with it). A Lorsa is "
                                         "trained with one convention: compare the FVU with and without it.").arg(bos));
}

void MainWindow::switchLayer(int item)
{
    const QVariantList chosen = m_layer->itemData(item).toList();
    if (chosen.size() != 2)
        return;
    const int layer = chosen[0].toInt();
    const QString variant = chosen[1].toString();
    const bool modelOnly = m_info.lorsaName.empty();
    if (layer == m_info.layer && variant.toStdString() == m_info.lorsaVariant)
        return;
    m_pendingModelDir = m_modelDir;
    m_pendingLorsaDir = m_lorsaDir;
    m_loadStatus->start(modelOnly ? tr("Scoring the heads of layer %1…").arg(layer) : tr("Loading the Lorsa of layer %1…").arg(layer));
    m_loadGeneration = m_worker->switchLayer(layer, variant);
}

void MainWindow::updateStatus()
{
    m_deviceLabel->setText(!m_loaded ? tr("no model")
                           : m_info.lorsaName.empty()
                               ? tr("%1 · %2 · MHSA of layer %3")
                                     .arg(QString::fromStdString(m_info.device), QString::fromStdString(m_info.dtype))
                                     .arg(m_info.layer)
                               : tr("%1 · %2 · layer %3")
                                     .arg(QString::fromStdString(m_info.device), QString::fromStdString(m_info.dtype))
                                     .arg(m_info.layer));
    const auto current = analysis();
    if (!current) {
        m_timeLabel->clear();
        return;
    }
    const auto tokens = static_cast<qlonglong>(current->tokens.size());
    m_timeLabel->setText(tr("analysis %1 ms for %2 new of %3 tokens · shown %4 ms after the request")
                             .arg(current->analysisMs, 0, 'f', 1)
                             .arg(tokens - current->reusedTokens)
                             .arg(tokens)
                             .arg(m_lastShownMs, 0, 'f', 1));
    m_timeLabel->setToolTip(tr("Everything is causal: the tokens this prompt shares with the previous one (less the last "
                               "of them) are not recomputed."));
}

} // namespace lorsa
