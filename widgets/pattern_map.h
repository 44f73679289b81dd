#pragma once
// Filling a QCustomPlot colour map from a query x key matrix, without a window, so that tests
// and headless figure export share it with the views.

#include "model/engine/analysis.h"

#include <QString>

class QCPColorMap;

namespace lorsa {

/// Finite value range of what was filled; `valid` is false when no cell was finite.
struct ValueRange {
    double lower = 0;
    double upper = 0;
    bool valid = false;
};

/// Fills \p map with \p matrix (T x T, row = query, column = key): key on the key axis, query on
/// the value axis, cell (k, q) centred on integer coordinates so that the axes run -0.5 .. T-0.5.
/// With \p causalMask, cells above the diagonal (key > query) become NaN (drawn transparent), as
/// do non-finite entries. Interpolation is switched off. Throws Error(InvalidInput) naming
/// \p what when the matrix is not square or its values do not match its shape.
ValueRange fillPatternMap(QCPColorMap* map, const FloatMatrix& matrix, bool causalMask, const QString& what);

/// The element-wise difference a - b of two matrices of the same shape (throws otherwise).
FloatMatrix differenceMatrix(const FloatMatrix& a, const FloatMatrix& b, const QString& what);

} // namespace lorsa
