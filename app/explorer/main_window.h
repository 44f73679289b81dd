#pragma once
// The explorer window. It wires the prompt editor, the views and the worker together and computes
// nothing: a request (an analysis with its selection intent, or another selection on the same
// prompt) goes to the WorkerThread, one immutable ExplorerResult comes back, the ResultsModel
// keeps it while it answers the newest request, and every view follows the ResultsModel.

#include "app/explorer/explorer_options.h"
#include "model/engine/explorer_result.h"
#include "model/atlas/atlas_types.h"
#include "model/engine/explorer_session.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QTimer>

#include <map>
#include <optional>
#include <vector>

class QAction;
class QCheckBox;
class QComboBox;
class QDockWidget;
class QKeySequence;
class QLabel;
class QMenu;
class QPlainTextEdit;

namespace lorsa {

class AnalysisView;
class AtlasBrowser;
class EmptyStateCover;
class FidelityPanel;
class FigureSource;
class HeadListView;
class InterventionPanel;
class LiveHeadCard;
class LoadStatus;
class MessageBanner;
class PatternMapView;
class ResultsModel;
class SelectionModel;
class TokenHeatmapView;
class WorkerThread;
class ZPatternView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    static constexpr int kDebounceMs = 150;
    static constexpr int kMaxRecent = 8;

    explicit MainWindow(const ExplorerOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Milliseconds since the last analysis request left the debounce (for the typing benchmark).
    double msSinceRequest() const { return m_requestClock.isValid() ? m_requestClock.nsecsElapsed() / 1e6 : 0.0; }
    /// Off, the worker computes every prompt whole (the typing benchmark's baseline).
    void setPrefixReuse(bool reuse);

    /// Loads \p modelDir with \p lorsaDir (may be empty) on the worker.
    void openFolders(const QString& modelDir, const QString& lorsaDir);
    void openModelFolder(const QString& dir);
    void openLorsaFolder(const QString& dir);
    /// Model or Lorsa, told apart by its config.json (drag and drop).
    void openDroppedFolder(const QString& dir);

    QPlainTextEdit* promptEditor() const { return m_prompt; }
    SelectionModel* selection() const { return m_selection; }
    ResultsModel* results() const { return m_results; }
    TokenHeatmapView* heatmap() const { return m_heatmap; }
    HeadListView* headList() const { return m_headList; }
    PatternMapView* patternMaps() const { return m_patterns; }
    ZPatternView* zPattern() const { return m_zPattern; }
    AtlasBrowser* atlas() const { return m_atlas; }
    /// Opens the atlas at \p path (it must be the loaded Lorsa's); false, with the reason in the
    /// banner, when it cannot.
    bool openAtlas(const QString& path);
    FidelityPanel* fidelity() const { return m_fidelity; }
    LiveHeadCard* headCard() const { return m_headCard; }
    InterventionPanel* interventionPanel() const { return m_intervention; }
    MessageBanner* banner() const { return m_banner; }
    WorkerThread* worker() const { return m_worker; }
    PromptAnalysisPtr analysis() const;
    HeadDetailPtr headDetail() const;
    const SessionInfo& sessionInfo() const { return m_info; }
    /// Every keyboard shortcut of the window and its menus with what it does (Help menu), HTML.
    QString shortcutsText() const;
    /// Versions of the app, LibTorch and Qt, the open model and Lorsa, where settings live. HTML.
    QString aboutText() const;

Q_SIGNALS:
    void sessionLoaded();
    /// A result about a new prompt reached the views.
    void analysisShown();
    /// A result with a head detail reached the views (with analysisShown() for a new prompt).
    void headDetailShown();
    /// An engine error reached the window (also shown in the banner).
    void errorShown(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    // main_window.cpp: layout and result handling
    void buildViews();
    void buildToolBar();
    void connectWorker();
    void requestAnalysis();
    /// The current selection on the current prompt, when it differs from what the views show.
    void requestSelection();
    void requestIntervention();
    /// The first slot on ResultsModel::changed: puts the result's selection into the
    /// SelectionModel (unless the user changed it while the analysis ran) before the views draw.
    void applyResult(const ExplorerResultPtr& result, bool newPrompt);
    /// The last slot on ResultsModel::changed: analysisShown() / headDetailShown().
    void announceResult(const ExplorerResultPtr& result, bool newPrompt);
    void showError(quint64 generation, const QString& message);
    /// The SelectionModel's selection; the MHSA head only when the user picked it.
    Selection currentSelection() const;
    void selectionChanged(int field);
    void moveToken(int step);
    void moveHead(int step);
    void updateStatus();
    void showSessionInfo();
    /// Switches to the layer (and variant) of item \p item of the layer selector.
    void switchLayer(int item);
    // main_window_files.cpp: menus, folders, recent list, settings, export, theme
    void buildMenus();
    void addRecent(const QString& modelDir, const QString& lorsaDir);
    void rebuildRecentMenu();
    void restoreSettings();
    void saveSettings() const;
    void applyTheme(const QString& theme);
    /// File > Export figure / data: an entry per view, named as its dock is.
    void fillExportMenu(QMenu* menu, bool figure);
    void exportView(FigureSource& source, bool figure);
    QString viewTitle(AnalysisView& view) const;
    static QKeySequence exportShortcut(bool figure);
    FigureSource* currentFigureSource() const;
    EngineOptions sessionOptions(const QString& modelDir, const QString& lorsaDir) const;
    QString chooseFolder(const QString& title, const QString& key);
    // main_window_atlas.cpp: the head atlas
    QDockWidget* buildAtlasDock();
    void buildAtlasMenu(QMenu* file);
    /// After a load: the new Lorsa's identity; closes an atlas of another Lorsa, opens one beside it.
    void atlasSessionChanged(quint64 loadGeneration);
    /// An atlas in the Lorsa folder (or beside it, as the demo's) opens by itself when it is this Lorsa's.
    void openAtlasBesideLorsa();
    void startAtlasBuild();
    /// Shows the atlas dock in front, tall enough for a head page.
    void raiseAtlas();
    void showContextInPrompt(const AtlasContext& context, qint64 head);

    WorkerThread* m_worker;
    SelectionModel* m_selection;
    ResultsModel* m_results;
    std::vector<AnalysisView*> m_views;  // every view following m_results
    std::vector<EmptyStateCover*> m_covers;  // one per view: what it says when it has nothing to show
    QPlainTextEdit* m_prompt = nullptr;
    MessageBanner* m_banner = nullptr;
    TokenHeatmapView* m_heatmap = nullptr;
    HeadListView* m_headList = nullptr;
    PatternMapView* m_patterns = nullptr;
    ZPatternView* m_zPattern = nullptr;
    FidelityPanel* m_fidelity = nullptr;
    LiveHeadCard* m_headCard = nullptr;
    InterventionPanel* m_intervention = nullptr;
    AtlasBrowser* m_atlas = nullptr;
    LoadStatus* m_atlasStatus = nullptr;  // the atlas build's progress and Cancel
    QAction* m_buildAtlas = nullptr;
    QAction* m_closeAtlas = nullptr;
    std::optional<AtlasIdentity> m_identity;  // of the loaded Lorsa, for atlases
    std::optional<std::pair<quint64, AtlasIdentity>> m_pendingIdentity;  // of the load in flight
    quint64 m_atlasBuildGeneration = 0;       // of the build in flight; 0: none
    QString m_deferredAtlas;                  // dropped with folders: opened once they are loaded
    LoadStatus* m_loadStatus = nullptr;
    QComboBox* m_device = nullptr;
    QComboBox* m_dtype = nullptr;
    QComboBox* m_quantity = nullptr;
    QCheckBox* m_bos = nullptr;
    QComboBox* m_layer = nullptr;        // the Lorsas of an opened set, or the model's layers without one
    QLabel* m_layerLabel = nullptr;
    QAction* m_layerAction = nullptr;    // shown only when there is more than one to choose
    QLabel* m_deviceLabel = nullptr;
    QLabel* m_timeLabel = nullptr;
    QMenu* m_recentMenu = nullptr;
    QTimer m_debounce;

    ExplorerOptions m_options;
    QString m_modelDir;          // of the loaded session
    QString m_lorsaDir;
    QString m_pendingModelDir;   // of the load in flight
    QString m_pendingLorsaDir;
    quint64 m_loadGeneration = 0;
    SessionInfo m_info;
    bool m_loaded = false;
    std::map<int32_t, float> m_scales;
    bool m_mhsaAuto = true;      // show the most similar MHSA head until the user picks one
    bool m_followEnd = true;     // keep the query on the last token while typing at the end
    bool m_newSession = true;    // the next analysis starts the session's selection afresh
    bool m_analysisInFlight = false;
    Selection m_requestedSelection;  // the selection the analysis in flight was asked with
    bool m_bannerFromAnalysis = false;
    bool m_restoredLayout = false;  // a saved window layout was restored
    QElapsedTimer m_requestClock;  // keystroke (after debounce) to views updated
    double m_lastShownMs = 0;
    QString m_theme;
};

} // namespace lorsa
