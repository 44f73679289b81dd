#include "app/explorer/load_status.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include <algorithm>
#include <cmath>

namespace lorsa {

LoadStatus::LoadStatus(QWidget* parent)
    : QWidget(parent)
    , m_stage(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    m_bar->setRange(0, 1000);
    m_bar->setTextVisible(false);
    m_bar->setMaximumWidth(160);
    m_cancel->setObjectName(QStringLiteral("cancelLoad"));
    connect(m_cancel, &QPushButton::clicked, this, &LoadStatus::cancelRequested);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stage);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    hide();
}

void LoadStatus::start(const QString& what)
{
    m_stage->setText(what);
    m_bar->setValue(0);
    show();
}

void LoadStatus::setProgress(double fraction, const QString& stage)
{
    if (!std::isfinite(fraction))
        return;
    m_bar->setValue(static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
    if (!stage.isEmpty())
        m_stage->setText(stage);
}

void LoadStatus::finish()
{
    hide();
}

} // namespace lorsa
