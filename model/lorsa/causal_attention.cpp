#include "model/lorsa/causal_attention.h"

#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>

#include <algorithm>
#include <limits>

namespace lorsa {
namespace {

// 128 queries x 1024 keys of float32 is 512 KiB: scores and probabilities of one block fit a
// core's L2, and the first block rows touch only 128 keys.
constexpr int64_t kQueryBlock = 128;

} // namespace

void causalGroupedAttention(const CausalAttentionInputs& in, int64_t first, int64_t count, const at::Tensor& hidden,
                            const at::Tensor& pattern)
{
    const int64_t batch = in.q.size(0), t = in.q.size(2), s = in.k.size(2), offset = s - t;
    const int64_t block = std::min(kQueryBlock, t);
    const auto floatOptions = in.q.options();
    // Key j > query i is in the future; only the diagonal square of a block has such keys.
    const auto future = at::ones({block, block}, floatOptions.dtype(at::kBool)).triu(1);  // [block,block]
    // Worker threads start without the caller's inference/grad mode; writing into inference
    // tensors outside inference mode is refused, so carry the caller's state over.
    const at::ThreadLocalState callerState;
    at::parallel_for(0, batch * count, 1, [&](int64_t begin, int64_t end) {
        const at::ThreadLocalStateGuard stateGuard(callerState);
        const auto scoresBuffer = at::empty({block * s}, floatOptions);
        const auto probsBuffer = at::empty({block * s}, floatOptions);
        for (int64_t task = begin; task < end; ++task) {
            const int64_t b = task / count, h = first + task % count;
            const auto q = in.q[b][h];  // [T,d_qk]
            const auto k = in.k[b][h];  // [S,d_qk]
            const auto v = in.v[b][h];  // [S,g]
            const auto out = hidden[b][h];  // [T,g]
            for (int64_t r0 = 0; r0 < t; r0 += block) {
                const int64_t rows = std::min(block, t - r0), keys = offset + r0 + rows;
                auto scores = scoresBuffer.narrow(0, 0, rows * keys).view({rows, keys});
                auto probs = probsBuffer.narrow(0, 0, rows * keys).view({rows, keys});
                at::mm_out(scores, q.narrow(0, r0, rows), k.narrow(0, 0, keys).t());
                scores.div_(in.scale);
                scores.narrow(1, offset + r0, rows).masked_fill_(future.narrow(0, 0, rows).narrow(1, 0, rows),
                                                        -std::numeric_limits<double>::infinity());
                at::_softmax_out(probs, scores, 1, false);
                auto outRows = out.narrow(0, r0, rows);  // [rows,g], contiguous
                at::mm_out(outRows, probs, v.narrow(0, 0, keys));
                if (pattern.defined())
                    pattern[b][h].narrow(0, r0, rows).narrow(1, 0, keys).copy_(probs);
            }
        }
    });
}

void causalGroupedAttentionBatched(const CausalAttentionInputs& in, int64_t first, int64_t count, const at::Tensor& hidden,
                                   const at::Tensor& pattern)
{
    const int64_t t = in.q.size(2), s = in.k.size(2);
    const auto q = in.q.narrow(1, first, count);  // [B,c,T,d_qk]
    const auto k = in.k.narrow(1, first, count);  // [B,c,S,d_qk]
    const auto future = at::ones({t, s}, in.q.options().dtype(at::kBool)).triu(s - t + 1);
    const auto scores = at::matmul(q, k.transpose(-1, -2)).div_(in.scale).masked_fill_(future, -std::numeric_limits<double>::infinity());
    const auto probs = at::softmax(scores, -1);  // [B,c,T,S]
    hidden.narrow(1, first, count).copy_(at::matmul(probs, in.v.narrow(1, first, count)));
    if (pattern.defined())
        pattern.narrow(1, first, count).copy_(probs);
}

} // namespace lorsa
