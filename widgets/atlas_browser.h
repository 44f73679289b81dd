#pragma once
// The head atlas in the explorer: every head of an atlas file in a sortable, filterable list
// (AtlasHeadTableModel behind an AtlasHeadFilter) beside the selected head's page
// (AtlasHeadPage). It owns the open AtlasFile: reads happen on the GUI thread (one head's page is a
// few small queries) and the user's labels, notes and bookmarks are written straight back, each
// in its own transaction, so nothing typed is lost when the app is killed.

#include "model/atlas/atlas_types.h"
#include "model/engine/explorer_session.h"

#include <QWidget>

#include <memory>
#include <optional>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace lorsa {

class AtlasFile;
class AtlasHeadFilter;
class AtlasHeadPage;
class AtlasHeadTableModel;

class AtlasBrowser : public QWidget {
    Q_OBJECT
public:
    enum class FilterMode { Text, PeakToken };
    static constexpr int kFilterDelayMs = 200;

    explicit AtlasBrowser(QWidget* parent = nullptr);
    ~AtlasBrowser() override;

    /// Opens the atlas at \p path and shows its strongest head. When \p loaded is given the atlas
    /// must have been built from that Lorsa. Throws lorsa::Error saying what is wrong; the atlas
    /// open before stays open then.
    void open(const QString& path, const std::optional<AtlasIdentity>& loaded);
    /// Closes the atlas (if any) and shows \p message.
    void close(const QString& message);
    bool isOpen() const { return m_atlas != nullptr; }
    QString path() const { return m_path; }
    /// Whether the atlas was built from \p identity's Lorsa (false when none is open).
    bool builtFrom(const AtlasIdentity& identity) const;
    const AtlasSummary& summary() const { return m_summary; }

    /// Selects \p head in the list (clearing a filter that hides it) and shows its page.
    void showHead(int64_t head);
    void setFilter(const QString& text, FilterMode mode = FilterMode::Text);
    void setBookmarkedOnly(bool only);
    /// Every annotation to \p path (.json or .csv); false, with notice(), when it fails.
    bool exportLabels(const QString& path);
    /// Annotations from \p path into the atlas and the list; false, with notice(), when it fails.
    bool importLabels(const QString& path);

    AtlasHeadPage* page() const { return m_page; }
    QTableView* table() const { return m_table; }
    AtlasHeadTableModel* model() const { return m_model; }
    AtlasHeadFilter* filter() const { return m_filter; }

public Q_SLOTS:
    /// The engine's answer to AtlasHeadPage::contextPatternWanted.
    void setContextPattern(const lorsa::ContextPatternPtr& pattern);

Q_SIGNALS:
    void sendToPrompt(const lorsa::AtlasContext& context, qint64 head);
    void contextPatternWanted(const std::vector<int64_t>& tokens, qint64 head);
    /// Something to tell the user: an annotation that could not be stored, where labels went.
    void notice(const QString& message);
    /// An atlas was opened or closed.
    void atlasChanged();

private:
    void applyFilter();
    void currentRowChanged();
    void showHeadPage(int64_t head);
    void storeAnnotation(const HeadAnnotation& annotation);
    void showSummary();

    std::unique_ptr<AtlasFile> m_atlas;
    QString m_path;
    AtlasSummary m_summary;
    bool m_writable = false;
    AtlasHeadTableModel* m_model;
    AtlasHeadFilter* m_filter;
    QLineEdit* m_filterText;
    QComboBox* m_filterMode;
    QCheckBox* m_bookmarked;
    QLabel* m_summaryLabel;
    QTableView* m_table;
    AtlasHeadPage* m_page;
    QTimer* m_filterTimer;
    QAction* m_importLabels = nullptr;
};

} // namespace lorsa
