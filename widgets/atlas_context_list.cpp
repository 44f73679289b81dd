#include "widgets/atlas_context_list.h"

#include "widgets/context_strip.h"
#include "widgets/head_card_figure.h"
#include "widgets/theme.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

constexpr double kCaptionHeight = 18;
constexpr double kSpacing = 6;  // between contexts

} // namespace

AtlasContextList::AtlasContextList(QWidget* parent)
    : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

AtlasContextList::~AtlasContextList() = default;

void AtlasContextList::setContexts(std::vector<AtlasContext> contexts, double maxActivation)
{
    m_placed.clear();  // strips refer to the contexts
    m_contexts = std::move(contexts);
    m_maxActivation = std::max(maxActivation, 1e-9);
    m_current = m_contexts.empty() ? -1 : 0;
    m_laidOutWidth = -1;
    layOut(width());
    updateGeometry();
    update();
    Q_EMIT currentChanged(m_current);
}

void AtlasContextList::setCurrent(int index)
{
    if (index < -1 || index >= static_cast<int>(m_contexts.size()) || index == m_current)
        return;
    m_current = index;
    update();
    Q_EMIT currentChanged(m_current);
}

void AtlasContextList::layOut(int width)
{
    if (width == m_laidOutWidth && m_placed.size() == m_contexts.size())
        return;
    m_laidOutWidth = width;
    m_placed.clear();
    double y = 0;
    for (const auto& context : m_contexts) {
        Placed placed;
        placed.top = y;
        placed.stripTop = y + kCaptionHeight;
        placed.strip = std::make_unique<ContextStrip>(context, font(), std::max(width, 100));
        placed.bottom = placed.stripTop + placed.strip->height();
        y = placed.bottom + kSpacing;
        m_placed.push_back(std::move(placed));
    }
    m_height = y;
    // The scroll area sizes the list by its minimum height: the laid-out strips' height.
    setMinimumHeight(static_cast<int>(std::ceil(m_height)));
}

QSize AtlasContextList::sizeHint() const
{
    return {480, std::max(60, static_cast<int>(std::ceil(m_height)))};
}

std::pair<int, int> AtlasContextList::hit(const QPointF& point) const
{
    for (size_t i = 0; i < m_placed.size(); ++i) {
        const auto& placed = m_placed[i];
        if (point.y() < placed.top || point.y() >= placed.bottom + kSpacing)
            continue;
        return {static_cast<int>(i), placed.strip->tokenAt(point - QPointF(0, placed.stripTop))};
    }
    return {-1, -1};
}

bool AtlasContextList::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const auto [index, token] = hit(help->pos());
        if (index < 0 || token < 0) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        const auto& context = m_contexts[static_cast<size_t>(index)];
        const auto t = static_cast<size_t>(token);
        QString text = tr("“%1” (position %2)<br>activation %3")
                           .arg(displayToken(context.tokenTexts[t]).toHtmlEscaped())
                           .arg(token)
                           .arg(double(context.activations[t]), 0, 'g', 4);
        if (t < context.zPattern.size())
            text += tr("<br>contribution to the peak %1").arg(double(context.zPattern[t]), 0, 'g', 4);
        if (token == context.position)
            text += tr("<br><b>peak</b>");
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void AtlasContextList::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    layOut(width());
}

void AtlasContextList::paintEvent(QPaintEvent*)
{
    layOut(width());
    QPainter painter(this);
    const Theme theme = Theme::fromPalette(palette());
    painter.fillRect(rect(), theme.background);
    if (m_contexts.empty()) {
        painter.setPen(theme.faint);
        painter.drawText(rect(), Qt::AlignCenter, tr("No context: the head never fired on the corpus"));
        return;
    }
    const auto scale = ColourScale::sequential(0, m_maxActivation);
    for (size_t i = 0; i < m_placed.size(); ++i) {
        const auto& placed = m_placed[i];
        const bool current = static_cast<int>(i) == m_current;
        if (current)
            painter.fillRect(QRectF(0, placed.top, width(), placed.bottom - placed.top + kSpacing / 2), palette().color(QPalette::AlternateBase));
        QFont caption = font();
        caption.setBold(current);
        painter.setFont(caption);
        painter.setPen(theme.foreground);
        painter.drawText(QRectF(TokenLayout::kMargin, placed.top, width(), kCaptionHeight), Qt::AlignLeft | Qt::AlignVCenter,
                         contextCaption(m_contexts[i]));
        placed.strip->paint(painter, QPointF(0, placed.stripTop), scale, theme, current);
    }
}

void AtlasContextList::mousePressEvent(QMouseEvent* event)
{
    if (const int index = hit(event->position()).first; index >= 0)
        setCurrent(index);
    QWidget::mousePressEvent(event);
}

void AtlasContextList::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (const int index = hit(event->position()).first; index >= 0)
        Q_EMIT activated(index);
}

void AtlasContextList::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Down: setCurrent(std::min(m_current + 1, static_cast<int>(m_contexts.size()) - 1)); break;
    case Qt::Key_Up: setCurrent(std::max(m_current - 1, 0)); break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (m_current >= 0)
            Q_EMIT activated(m_current);
        break;
    default: QWidget::keyPressEvent(event); return;
    }
}

} // namespace lorsa
