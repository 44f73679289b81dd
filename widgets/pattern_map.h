#pragma once
// Filling a QCustomPlot colour map from a query x key matrix, without a window, so that tests
// and headless figure export share it with the views.

#include "model/engine/analysis.h"

#include <QString>

#include <vector>

class QCPColorMap;

namespace lorsa {

/// Finite value range of what was filled; `valid` is false when no cell was finite.
struct ValueRange {
    double lower = 0;
    double upper = 0;
    bool valid = false;
};

/// Maps of more tokens than this per axis are drawn in square blocks of tokens, so that filling
/// and drawing one stays within a few milliseconds on the GUI thread (a 2,048-token prompt:
/// blocks of 8, 256 x 256 cells instead of 4 million; a map is rarely more pixels wide).
inline constexpr int kMaxCellsPerAxis = 256;

/// Tokens per cell along each axis of a T-token map: 1 up to kMaxCellsPerAxis tokens.
int tokensPerCell(int64_t tokens);

/// A T x T matrix reduced to the cells a colour map draws (see fillPatternMap). Plain data, so
/// that long prompts can be reduced away from the GUI thread.
struct CellGrid {
    int tokens = 0;             ///< T
    int block = 1;              ///< tokens per cell along each axis (tokensPerCell)
    int cells = 0;              ///< cells per axis
    std::vector<float> values;  // (cells, cells), row = query cell; NaN: nothing to draw
    ValueRange range;           ///< over every finite entry shown, not only the cells' values
};

/// The reductions of fillPatternMap and fillDifferenceMap; thread-safe, throw as they do.
CellGrid cellGridOf(const FloatMatrix& matrix, bool causalMask, const QString& what);
CellGrid differenceGridOf(const FloatMatrix& a, const FloatMatrix& b, bool causalMask, const QString& what);
/// Puts \p grid into \p map (GUI thread).
void showCellGrid(QCPColorMap* map, const CellGrid& grid);

/// Fills \p map with \p matrix (T x T, row = query, column = key): key on the key axis, query on
/// the value axis, cell (k, q) centred on integer coordinates so that the axes run -0.5 .. T-0.5.
/// With \p causalMask, cells above the diagonal (key > query) become NaN (drawn transparent), as
/// do non-finite entries. Beyond kMaxCellsPerAxis tokens a cell covers a block of tokens and
/// holds the block's value of largest magnitude (attention spikes stay visible; the range is
/// that of all values). Interpolation is switched off. Throws Error(InvalidInput) naming \p what
/// when the matrix is not square or its values do not match its shape.
ValueRange fillPatternMap(QCPColorMap* map, const FloatMatrix& matrix, bool causalMask, const QString& what);

/// fillPatternMap of the element-wise difference a - b, computed while filling (no T x T copy);
/// throws unless both are square of one size.
ValueRange fillDifferenceMap(QCPColorMap* map, const FloatMatrix& a, const FloatMatrix& b, bool causalMask, const QString& what);

} // namespace lorsa
