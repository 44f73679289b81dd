#pragma once
// Lays a short centred message over an AnalysisView when it has nothing to show (empty_state.h),
// so that no view ever shows empty axes or the previous prompt's plots. The view itself needs no
// code for it: the cover passes results on and decides, from the result and the view's
// needsLorsa(), whether to show the view or the message.

#include "widgets/empty_state.h"

#include <QObject>

class QLabel;

namespace lorsa {

class AnalysisView;

class EmptyStateCover : public QObject {
    Q_OBJECT
public:
    /// Covers \p view (which must outlive the cover; the cover is a child of its widget).
    /// It starts with EmptyReason::NothingLoaded.
    explicit EmptyStateCover(AnalysisView* view);

    /// Gives \p result to the view and shows it, or the reason it has nothing to show.
    void setResult(const ExplorerResultPtr& result);
    /// Shows \p reason's message (EmptyReason::None: the view); the view drops its result.
    void showEmpty(EmptyReason reason);

    EmptyReason reason() const { return m_reason; }
    /// The message shown, empty while the view is.
    QString message() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void show(EmptyReason reason);

    AnalysisView* m_view;
    QLabel* m_label;
    EmptyReason m_reason = EmptyReason::None;
};

} // namespace lorsa
