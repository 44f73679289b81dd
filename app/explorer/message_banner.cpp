#include "app/explorer/message_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace lorsa {

MessageBanner::MessageBanner(QWidget* parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
{
    setObjectName(QStringLiteral("messageBanner"));
    // Fixed warm colours readable in both themes; the banner must stand out from the views.
    setStyleSheet(QStringLiteral("#messageBanner { background: #fdecea; border: 1px solid #e0a39b; border-radius: 3px; }"
                                 "#messageBanner QLabel { color: #611a15; }"));
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setAutoRaise(true);
    close->setFocusPolicy(Qt::NoFocus);
    close->setToolTip(tr("Dismiss"));
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(close, 0, Qt::AlignTop);
    hide();
}

void MessageBanner::showMessage(const QString& message)
{
    m_label->setText(message);
    show();
}

QString MessageBanner::message() const
{
    return isVisible() ? m_label->text() : QString();
}

} // namespace lorsa
