#include "model/lorsa/active_head_decoder.h"

#include "model/core/error.h"

#include <algorithm>

namespace lorsa {

at::Tensor decodeActiveHeads(const at::Tensor& heads, const at::Tensor& acts, const at::Tensor& wO, const at::Tensor& bD)
{
    if (heads.sizes() != acts.sizes() || heads.dim() < 1 || wO.dim() != 2 || bD.dim() != 1 || bD.size(0) != wO.size(1))
        throw Error(ErrorKind::InvalidInput, "decoding active heads needs heads and activations of one shape [...,k], W_O [n_ov,d] "
                                             "and b_D [d]");
    const int64_t k = heads.size(-1), tokens = heads.numel() / std::max<int64_t>(k, 1);
    auto outShape = heads.sizes().vec();
    outShape.back() = wO.size(1);
    if (k == 0)
        return bD.expand(outShape).contiguous();
    const auto offsets = at::arange(0, tokens * k, k, heads.options().dtype(at::kLong));
    const auto summed = std::get<0>(at::embedding_bag(wO, heads.reshape({-1}).to(at::kLong), offsets, false, /*mode sum*/ 0,
                                                      false, acts.reshape({-1}).to(wO.scalar_type()), false));  // [N,d]
    return (summed + bD).view(outShape);
}

} // namespace lorsa
