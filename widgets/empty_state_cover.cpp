#include "widgets/empty_state_cover.h"

#include "widgets/analysis_view.h"

#include <QEvent>
#include <QLabel>
#include <QWidget>

namespace lorsa {

EmptyStateCover::EmptyStateCover(AnalysisView* view)
    : QObject(view->widget()), m_view(view), m_label(new QLabel(view->widget()))
{
    m_label->setObjectName(QStringLiteral("emptyState"));
    m_label->setAlignment(Qt::AlignCenter);
    m_label->setWordWrap(true);
    m_label->setMargin(12);
    // Opaque: the view's plots must not show through.
    m_label->setAutoFillBackground(true);
    m_label->setBackgroundRole(QPalette::Window);
    m_label->setForegroundRole(QPalette::PlaceholderText);
    view->widget()->installEventFilter(this);
    show(EmptyReason::NothingLoaded);
}

void EmptyStateCover::setResult(const ExplorerResultPtr& result)
{
    m_view->setResult(result);
    show(emptyReasonFor(result, m_view->needsLorsa()));
}

void EmptyStateCover::showEmpty(EmptyReason reason)
{
    if (reason != EmptyReason::None)
        m_view->setResult(nullptr);  // no stale plots or exports behind the message
    show(reason);
}

QString EmptyStateCover::message() const
{
    return m_reason == EmptyReason::None ? QString() : m_label->text();
}

void EmptyStateCover::show(EmptyReason reason)
{
    m_reason = reason;
    m_label->setText(emptyStateText(reason));
    m_label->setGeometry(m_view->widget()->rect());
    m_label->setVisible(reason != EmptyReason::None);
    m_label->raise();
}

bool EmptyStateCover::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Resize)
        m_label->setGeometry(m_view->widget()->rect());
    else if (event->type() == QEvent::ChildAdded && m_label->isVisible())
        m_label->raise();  // a child added later would be stacked above the message
    return QObject::eventFilter(watched, event);
}

} // namespace lorsa
