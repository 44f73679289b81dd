#include "widgets/pattern_map.h"

#include "model/core/error.h"
#include "widgets/qcustomplot_include.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace lorsa {
namespace {

void checkShape(const FloatMatrix& matrix, const QString& what)
{
    if (matrix.rows < 0 || matrix.cols < 0 || static_cast<uint64_t>(matrix.rows) * static_cast<uint64_t>(matrix.cols) != matrix.values.size())
        throw Error(ErrorKind::InvalidInput, QStringLiteral("%1: matrix of shape [%2,%3] holds %4 values").arg(what)
            .arg(matrix.rows).arg(matrix.cols).arg(matrix.values.size()).toStdString());
}

} // namespace

int tokensPerCell(int64_t tokens)
{
    return static_cast<int>(std::max<int64_t>(1, (tokens + kMaxCellsPerAxis - 1) / kMaxCellsPerAxis));
}

namespace {

void checkSquare(const FloatMatrix& matrix, const QString& what)
{
    checkShape(matrix, what);
    if (matrix.rows != matrix.cols)
        throw Error(ErrorKind::InvalidInput, QStringLiteral("%1: a query x key pattern must be square, got [%2,%3]").arg(what)
            .arg(matrix.rows).arg(matrix.cols).toStdString());
    if (matrix.rows > 16384)
        throw Error(ErrorKind::InvalidInput, QStringLiteral("%1: %2 tokens are too many to draw").arg(what).arg(matrix.rows).toStdString());
}

/// The reduction behind cellGridOf and differenceGridOf; \p entry(i) is the value at row-major
/// index i of the n x n matrix shown.
template <typename Entry>
CellGrid reduce(int n, bool causalMask, const Entry& entry)
{
    CellGrid grid;
    grid.tokens = n;
    grid.block = tokensPerCell(n);
    grid.cells = (n + grid.block - 1) / grid.block;
    const int block = grid.block, cells = grid.cells;
    grid.values.assign(static_cast<size_t>(cells) * static_cast<size_t>(cells), std::numeric_limits<float>::quiet_NaN());
    // Per key cell of the current row of cells: the entry of largest magnitude so far.
    std::vector<char> seen(static_cast<size_t>(cells));
    float lower = std::numeric_limits<float>::infinity();
    float upper = -std::numeric_limits<float>::infinity();
    for (int qCell = 0; qCell < cells; ++qCell) {
        float* strongest = grid.values.data() + static_cast<size_t>(qCell) * static_cast<size_t>(cells);
        std::fill(seen.begin(), seen.end(), 0);
        const int qEnd = std::min(n, (qCell + 1) * block);
        for (int q = qCell * block; q < qEnd; ++q) {
            const size_t row = static_cast<size_t>(q) * static_cast<size_t>(n);
            const int kEnd = causalMask ? q + 1 : n;
            for (int kCell = 0, k0 = 0; k0 < kEnd; ++kCell, k0 += block) {
                float best = strongest[kCell];
                bool has = seen[static_cast<size_t>(kCell)] != 0;
                for (int k = k0, k1 = std::min(kEnd, k0 + block); k < k1; ++k) {
                    const float z = entry(row + static_cast<size_t>(k));
                    if (!(std::abs(z) <= std::numeric_limits<float>::max()))
                        continue;  // NaN or infinite
                    lower = std::min(lower, z);
                    upper = std::max(upper, z);
                    if (!has || std::abs(z) > std::abs(best)) {
                        best = z;
                        has = true;
                    }
                }
                strongest[kCell] = best;
                seen[static_cast<size_t>(kCell)] = has ? 1 : 0;
            }
        }
    }
    if (lower <= upper)
        grid.range = {lower, upper, true};
    return grid;
}

} // namespace

CellGrid cellGridOf(const FloatMatrix& matrix, bool causalMask, const QString& what)
{
    checkSquare(matrix, what);
    const float* values = matrix.values.data();
    return reduce(static_cast<int>(matrix.rows), causalMask, [values](size_t i) { return values[i]; });
}

CellGrid differenceGridOf(const FloatMatrix& a, const FloatMatrix& b, bool causalMask, const QString& what)
{
    checkSquare(a, what);
    checkSquare(b, what);
    if (a.rows != b.rows)
        throw Error(ErrorKind::InvalidInput, QStringLiteral("%1: cannot subtract [%2,%3] from [%4,%5]").arg(what)
            .arg(b.rows).arg(b.cols).arg(a.rows).arg(a.cols).toStdString());
    const float* x = a.values.data();
    const float* y = b.values.data();
    return reduce(static_cast<int>(a.rows), causalMask, [x, y](size_t i) { return x[i] - y[i]; });
}

void showCellGrid(QCPColorMap* map, const CellGrid& grid)
{
    map->setInterpolate(false);
    map->setTightBoundary(false);
    QCPColorMapData* data = map->data();
    // QCustomPlot cannot place a single cell (its cell width is range / (size - 1)), so a
    // one-token prompt gets a 2 x 2 grid whose extra cells are NaN and lie outside the axes.
    const int size = std::max(grid.cells, 2);
    data->setSize(size, size);
    // Cell centres: the middle of each block of tokens.
    const double first = (grid.block - 1) / 2.0, last = first + (size - 1) * grid.block;
    data->setRange(QCPRange(first, last), QCPRange(first, last));
    data->fill(std::numeric_limits<double>::quiet_NaN());
    for (int q = 0; q < grid.cells; ++q)
        for (int k = 0; k < grid.cells; ++k)
            if (const float z = grid.values[static_cast<size_t>(q) * static_cast<size_t>(grid.cells) + static_cast<size_t>(k)]; !std::isnan(z))
                data->setCell(k, q, z);
}

ValueRange fillPatternMap(QCPColorMap* map, const FloatMatrix& matrix, bool causalMask, const QString& what)
{
    const CellGrid grid = cellGridOf(matrix, causalMask, what);
    showCellGrid(map, grid);
    return grid.range;
}

ValueRange fillDifferenceMap(QCPColorMap* map, const FloatMatrix& a, const FloatMatrix& b, bool causalMask, const QString& what)
{
    const CellGrid grid = differenceGridOf(a, b, causalMask, what);
    showCellGrid(map, grid);
    return grid.range;
}

} // namespace lorsa
