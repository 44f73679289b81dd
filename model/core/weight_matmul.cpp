#include "model/core/weight_matmul.h"

#include <algorithm>

namespace lorsa {
namespace {

// Where one matrix-vector product per row beats one GEMM (float32 and float64 BLAS on the CPU).
bool multipliesRowByRow(const at::Tensor& rows)
{
    return rows.is_cpu() && rows.size(0) <= kRowByRowMax && (rows.scalar_type() == at::kFloat || rows.scalar_type() == at::kDouble);
}

// rows [m, in] times block [in, n] into out [m, n] (a view into the result).
void multiplyInto(at::Tensor out, const at::Tensor& rows, const at::Tensor& block, bool rowByRow)
{
    if (rowByRow) {
        const auto matrix = block.t();  // [n, in]: for a kept [out, in] matrix, rows of the file
        for (int64_t r = 0; r < rows.size(0); ++r) {
            auto row = out.select(0, r);
            at::mv_out(row, matrix, rows.select(0, r));
        }
        return;
    }
    at::mm_out(out, rows, block);
}

} // namespace

at::Tensor matmulWeight(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, int64_t blockBytes)
{
    const auto dtype = x.scalar_type();
    const int64_t in = weight.size(0), out = weight.size(1);
    const auto rows = x.reshape({-1, in});
    const bool rowByRow = multipliesRowByRow(rows);
    const bool converts = weight.scalar_type() != dtype;
    const int64_t columns = std::max<int64_t>(1, blockBytes / std::max<int64_t>(1, in * int64_t(at::elementSize(dtype))));
    // On a GPU, converting the whole matrix once costs less than launching its blocks.
    const bool blockByBlock = converts && x.is_cpu() && columns < out && rows.size(0) <= kBlockedRowsMax;
    auto shape = x.sizes().vec();
    shape.back() = out;
    if (!rowByRow && !blockByBlock) {
        const auto matrix = converts ? weight.to(dtype) : weight;
        return (bias.defined() ? at::addmm(bias.to(dtype), rows, matrix) : at::mm(rows, matrix)).view(shape);
    }
    auto y = at::empty({rows.size(0), out}, x.options());
    const int64_t step = blockByBlock ? columns : out;
    for (int64_t first = 0; first < out; first += step) {
        const int64_t n = std::min(step, out - first);
        const auto block = weight.narrow(1, first, n);
        multiplyInto(y.narrow(1, first, n), rows, converts ? block.to(dtype) : block, rowByRow);
    }
    if (bias.defined())
        y.add_(bias.to(dtype));
    return y.view(shape);
}

} // namespace lorsa
