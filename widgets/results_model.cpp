#include "widgets/results_model.h"

namespace lorsa {

ResultsModel::ResultsModel(IsCurrent isCurrent, QObject* parent)
    : QObject(parent)
    , m_isCurrent(std::move(isCurrent))
{
}

bool ResultsModel::offer(const ExplorerResultPtr& result)
{
    if (!result || !result->analysis || (m_isCurrent && !m_isCurrent(result->generation)))
        return false;
    const bool newPrompt = !m_current || m_current->analysis != result->analysis;
    m_current = result;
    Q_EMIT changed(m_current, newPrompt);
    return true;
}

void ResultsModel::clear()
{
    m_current.reset();
    Q_EMIT changed(m_current, true);
}

} // namespace lorsa
