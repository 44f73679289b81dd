#pragma once
// Reduces a view's T x T matrices to the CellGrids its colour maps draw: at once for prompts the
// maps draw cell by cell (up to kMaxCellsPerAxis tokens), on a pool thread beyond, so that the
// O(T²) pass over a 2,048-token prompt never blocks the GUI thread. A new request supersedes the
// one in flight, whose grids are then dropped.

#include "widgets/pattern_map.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <functional>
#include <vector>

namespace lorsa {

class GridReducer : public QObject {
    Q_OBJECT
public:
    /// Runs on a pool thread for long prompts: capture the data by shared pointer, never `this`.
    /// May throw lorsa::Error (its message reaches Done).
    using Job = std::function<std::vector<CellGrid>()>;
    /// Called on the GUI thread with the grids, or with an error message and no grids.
    using Done = std::function<void(const std::vector<CellGrid>& grids, const QString& error)>;

    explicit GridReducer(QObject* parent = nullptr);

    void request(int64_t tokens, Job job, Done done);
    /// Delivers the request in flight now (a figure export needs its maps).
    void finish();

private:
    struct Result {
        std::vector<CellGrid> grids;
        QString error;
    };
    static Result run(const Job& job);
    void deliver();

    QFutureWatcher<Result> m_watcher;
    Done m_pending;  // of the request in flight; empty when none
};

} // namespace lorsa
