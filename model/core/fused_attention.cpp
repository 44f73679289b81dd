#include "model/core/fused_attention.h"

#include "model/core/error.h"

#include <limits>
#include <optional>
#include <string>

namespace lorsa {
namespace {

void checkShapes(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
    const bool fits = q.dim() == 4 && k.dim() == 4 && v.dim() == 4 && k.size(0) == q.size(0) && v.size(0) == q.size(0) &&
                      k.size(1) > 0 && v.size(1) == k.size(1) && q.size(1) % k.size(1) == 0 && k.size(3) == q.size(3) &&
                      v.size(2) == k.size(2) && k.size(2) >= q.size(2);
    if (!fits)
        throw Error(ErrorKind::InvalidInput, "fused attention needs q [B,H,T,D], k [B,Hkv,S,D], v [B,Hkv,S,G] with Hkv dividing H "
                                             "and S >= T; found " + std::to_string(q.dim()) + "/" + std::to_string(k.dim()) + "/" +
                                                 std::to_string(v.dim()) + "-dimensional tensors of other sizes");
}

} // namespace

bool hasFusedAttention()
{
#ifdef LORSA_TORCH_HAS_SDPA
    return true;
#else
    return false;
#endif
}

bool fusedAttentionOn(at::Device device)
{
    return !device.is_cpu() && hasFusedAttention();
}

at::Tensor fusedCausalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale)
{
    checkShapes(q, k, v);
    const int64_t t = q.size(2), s = k.size(2), group = q.size(1) / k.size(1);
#ifdef LORSA_TORCH_HAS_SDPA
    const bool grouped = group > 1;
    if (t == s)
        return at::scaled_dot_product_attention(q, k, v, std::nullopt, 0.0, true, scale, grouped);
    // is_causal aligns the mask top-left; queries continuing a cache need it bottom-right.
    const auto visible = at::ones({t, s}, q.options().dtype(at::kBool)).tril(s - t);
    return at::scaled_dot_product_attention(q, k, v, std::optional<at::Tensor>(visible), 0.0, false, scale, grouped);
#else
    const auto wide = q.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
    const auto keys = (group > 1 ? k.repeat_interleave(group, 1) : k).to(wide);
    const auto values = (group > 1 ? v.repeat_interleave(group, 1) : v).to(wide);
    auto scores = at::matmul(q.to(wide), keys.transpose(-1, -2)).mul_(scale);
    const auto future = at::ones({t, s}, q.options().dtype(at::kBool)).triu(s - t + 1);
    scores.masked_fill_(future, -std::numeric_limits<double>::infinity());
    return at::matmul(at::softmax(scores, -1), values).to(q.scalar_type());
#endif
}

} // namespace lorsa
