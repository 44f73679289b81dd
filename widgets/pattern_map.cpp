#include "widgets/pattern_map.h"

#include "model/core/error.h"
#include "widgets/qcustomplot_include.h"

#include <cmath>
#include <limits>

namespace lorsa {
namespace {

void checkShape(const FloatMatrix& matrix, const QString& what)
{
    if (matrix.rows < 0 || matrix.cols < 0 || static_cast<uint64_t>(matrix.rows) * static_cast<uint64_t>(matrix.cols) != matrix.values.size())
        throw Error(ErrorKind::InvalidInput, QStringLiteral("%1: matrix of shape [%2,%3] holds %4 values").arg(what)
            .arg(matrix.rows).arg(matrix.cols).arg(matrix.values.size()).toStdString());
}

} // namespace

ValueRange fillPatternMap(QCPColorMap* map, const FloatMatrix& matrix, bool causalMask, const QString& what)
{
    checkShape(matrix, what);
    if (matrix.rows != matrix.cols)
        throw Error(ErrorKind::InvalidInput, QStringLiteral("%1: a query x key pattern must be square, got [%2,%3]").arg(what)
            .arg(matrix.rows).arg(matrix.cols).toStdString());
    if (matrix.rows > 16384)
        throw Error(ErrorKind::InvalidInput, QStringLiteral("%1: %2 tokens are too many to draw").arg(what).arg(matrix.rows).toStdString());
    const int n = static_cast<int>(matrix.rows);
    map->setInterpolate(false);
    map->setTightBoundary(false);
    QCPColorMapData* data = map->data();
    // QCustomPlot cannot place a single cell (its cell width is range / (size - 1)), so a
    // one-token prompt gets a 2 x 2 grid whose extra cells are NaN and lie outside the axes.
    const int size = std::max(n, 2);
    data->setSize(size, size);
    data->setRange(QCPRange(0, size - 1), QCPRange(0, size - 1));
    data->fill(std::numeric_limits<double>::quiet_NaN());
    ValueRange range;
    range.lower = std::numeric_limits<double>::infinity();
    range.upper = -std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int q = 0; q < n; ++q) {
        for (int k = 0; k < n; ++k) {
            const double z = matrix.at(q, k);
            if ((causalMask && k > q) || !std::isfinite(z)) {
                data->setCell(k, q, nan);
                continue;
            }
            data->setCell(k, q, z);
            range.lower = std::min(range.lower, z);
            range.upper = std::max(range.upper, z);
            range.valid = true;
        }
    }
    if (!range.valid)
        range = ValueRange();
    return range;
}

FloatMatrix differenceMatrix(const FloatMatrix& a, const FloatMatrix& b, const QString& what)
{
    checkShape(a, what);
    checkShape(b, what);
    if (a.rows != b.rows || a.cols != b.cols)
        throw Error(ErrorKind::InvalidInput, QStringLiteral("%1: cannot subtract [%2,%3] from [%4,%5]").arg(what)
            .arg(b.rows).arg(b.cols).arg(a.rows).arg(a.cols).toStdString());
    FloatMatrix out{a.rows, a.cols, std::vector<float>(a.values.size())};
    for (size_t i = 0; i < a.values.size(); ++i)
        out.values[i] = a.values[i] - b.values[i];
    return out;
}

} // namespace lorsa
