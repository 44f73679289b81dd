#pragma once
// The current ExplorerResult, symmetric with SelectionModel: the worker's answers are offered to
// it, it keeps the newest and drops the superseded ones (the one place where staleness is
// decided), and every view follows its `changed` signal.

#include "model/engine/explorer_result.h"

#include <QMetaType>
#include <QObject>

#include <functional>

namespace lorsa {

class ResultsModel : public QObject {
    Q_OBJECT
public:
    /// Whether a result of this request generation still answers the newest request.
    using IsCurrent = std::function<bool(quint64 generation)>;

    explicit ResultsModel(IsCurrent isCurrent, QObject* parent = nullptr);

    /// Takes \p result when it answers the newest request and emits `changed`; drops it (and
    /// returns false) when a newer request has been made since, or when it is null.
    bool offer(const ExplorerResultPtr& result);
    /// Forgets the current result (a new session): emits `changed` with null.
    void clear();

    const ExplorerResultPtr& current() const { return m_current; }

Q_SIGNALS:
    /// \p newPrompt: the analysis differs from the previous result's (else only the selection).
    void changed(const lorsa::ExplorerResultPtr& result, bool newPrompt);

private:
    IsCurrent m_isCurrent;
    ExplorerResultPtr m_current;
};

} // namespace lorsa

Q_DECLARE_METATYPE(lorsa::ExplorerResultPtr)
