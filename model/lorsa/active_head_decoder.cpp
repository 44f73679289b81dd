#include "model/lorsa/active_head_decoder.h"

#include "model/core/error.h"

#include <algorithm>

namespace lorsa {

namespace {

void checkDecoder(const at::Tensor& wO, const at::Tensor& bD)
{
    if (wO.dim() != 2 || bD.dim() != 1 || bD.size(0) != wO.size(1))
        throw Error(ErrorKind::InvalidInput, "decoding active heads needs W_O [n_ov,d] and b_D [d]");
}

/// Rows wO[heads] weighted by acts and summed per bag (bags start at offsets), plus bD.
at::Tensor sumRows(const at::Tensor& wO, const at::Tensor& bD, const at::Tensor& heads, const at::Tensor& offsets,
                   const at::Tensor& acts)
{
    const auto summed = std::get<0>(at::embedding_bag(wO, heads.to(at::kLong), offsets, false, /*mode sum*/ 0, false,
                                                      acts.to(wO.scalar_type()), false));  // [bags,d]
    return summed + bD;
}

} // namespace

at::Tensor decodeActiveHeads(const at::Tensor& heads, const at::Tensor& acts, const at::Tensor& wO, const at::Tensor& bD)
{
    checkDecoder(wO, bD);
    if (heads.sizes() != acts.sizes() || heads.dim() < 1)
        throw Error(ErrorKind::InvalidInput, "decoding active heads needs heads and activations of one shape [...,k]");
    const int64_t k = heads.size(-1), tokens = heads.numel() / std::max<int64_t>(k, 1);
    auto outShape = heads.sizes().vec();
    outShape.back() = wO.size(1);
    if (k == 0)
        return bD.expand(outShape).contiguous();
    const auto offsets = at::arange(0, tokens * k, k, heads.options().dtype(at::kLong));
    return sumRows(wO, bD, heads.reshape({-1}), offsets, acts.reshape({-1})).view(outShape);
}

at::Tensor decodeNonzeroHeads(const at::Tensor& featureActs, const at::Tensor& wO, const at::Tensor& bD)
{
    checkDecoder(wO, bD);
    const int64_t nOv = wO.size(0), d = wO.size(1);
    if (featureActs.dim() < 1 || featureActs.size(-1) != nOv)
        throw Error(ErrorKind::InvalidInput, "decoding active heads needs activations [...,n_ov] with n_ov = W_O's rows");
    auto outShape = featureActs.sizes().vec();
    outShape.back() = d;
    const auto flat = featureActs.reshape({-1, nOv});  // [N,n_ov]
    const auto active = flat.ne(0);
    const auto heads = at::nonzero(active).select(1, 1);   // row-major: each token's heads in turn
    const auto acts = flat.masked_select(active);          // in the same order
    const auto counts = active.sum(1);                     // [N]
    const auto offsets = counts.cumsum(0) - counts;        // where each token's bag starts
    const bool wide = wO.scalar_type() == at::kFloat || wO.scalar_type() == at::kDouble;
    if (wide)  // one pass that sums rows in place, with no [active,d] copy
        return sumRows(wO, bD, heads, offsets, acts).view(outShape);
    // Half precision: gather bounded steps of rows, widened to float32, and add them per token.
    const auto tokens = at::repeat_interleave(at::arange(flat.size(0), counts.options()), counts);  // [active]
    auto out = at::zeros({flat.size(0), d}, flat.options().dtype(at::kFloat));
    constexpr int64_t kRowsPerStep = 16384;
    for (int64_t i = 0; i < heads.size(0); i += kRowsPerStep) {
        const int64_t n = std::min(kRowsPerStep, heads.size(0) - i);
        const auto rows = wO.index_select(0, heads.narrow(0, i, n)).to(at::kFloat) * acts.narrow(0, i, n).to(at::kFloat).unsqueeze(1);
        out.index_add_(0, tokens.narrow(0, i, n), rows);
    }
    out.add_(bD.to(at::kFloat));
    return out.to(wO.scalar_type()).view(outShape);
}

} // namespace lorsa
