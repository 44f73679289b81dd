#include "tests/model/engine/exact_lorsa.h"

#include "model/io/tensor_source.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace lorsa::test {

void writeExactGpt2Lorsa(const std::filesystem::path& lorsaDir, const std::filesystem::path& gpt2Dir, int64_t layer,
                         int64_t nHeads, bool affine)
{
    const auto weights = openSafetensors(gpt2Dir / "model.safetensors");
    const auto prefix = "transformer.h." + std::to_string(layer) + ".";
    auto load = [&](const std::string& name) { return weights->load(prefix + name).to(at::kDouble); };
    const auto gamma = load("ln_1.weight");            // [d]
    const auto beta = load("ln_1.bias");               // [d]
    const auto attnWeight = load("attn.c_attn.weight"); // [d,3d] Conv1D: y = x W + b
    const auto attnBias = load("attn.c_attn.bias");     // [3d]
    const auto projWeight = load("attn.c_proj.weight"); // [d,d]
    const auto projBias = load("attn.c_proj.bias");     // [d]
    const auto d = gamma.size(0);
    const auto dHead = d / nHeads;

    // Input x_hat (normalised) -> x_hat*gamma + beta: fold the affine into the weights.
    auto fold = [&](const at::Tensor& w, const at::Tensor& b) { // w [d,n], b [n]
        if (affine)
            return std::make_pair(w, b);
        return std::make_pair(gamma.unsqueeze(1) * w, at::matmul(beta, w) + b);
    };
    auto part = [&](int64_t which) {
        return fold(attnWeight.narrow(1, which * d, d), attnBias.narrow(0, which * d, d));
    };
    const auto [wq, bq] = part(0);
    const auto [wk, bk] = part(1);
    const auto [wv, bv] = part(2);

    auto perHead = [&](const at::Tensor& w) { return w.reshape({d, nHeads, dHead}).permute({1, 0, 2}).contiguous(); };
    const auto wO = affine ? projWeight : projWeight - projWeight.mean(1, true);  // rows: (h*dh + j)
    const auto bD = affine ? projBias : projBias - projBias.mean();
    const auto valueIn = wv.t().contiguous();                                       // [d(out=h*dh+j), d]
    const auto wV = at::cat({valueIn, -valueIn}, 0);                               // [2d, d]
    const auto bV = at::cat({bv, -bv}, 0);
    const auto wOut = at::cat({wO, -wO}, 0);
    // OV head i reads QK head i / (n_ov / n_qk): order heads so that each QK head's 2*dh OV
    // heads are contiguous.
    std::vector<int64_t> order;
    for (int64_t h = 0; h < nHeads; ++h) {
        for (int64_t j = 0; j < dHead; ++j)
            order.push_back(h * dHead + j);
        for (int64_t j = 0; j < dHead; ++j)
            order.push_back(d + h * dHead + j);
    }
    const auto index = at::tensor(order, at::kLong);
    auto f32 = [](const at::Tensor& t) { return t.to(at::kFloat).contiguous(); };
    writeSafetensors(lorsaDir / "sae_weights.safetensors",
                     {{"W_Q", f32(perHead(wq))},
                      {"W_K", f32(perHead(wk))},
                      {"b_Q", f32(bq.reshape({nHeads, dHead}))},
                      {"b_K", f32(bk.reshape({nHeads, dHead}))},
                      {"W_V", f32(wV.index_select(0, index))},
                      {"b_V", f32(bV.index_select(0, index))},
                      {"W_O", f32(wOut.index_select(0, index))},
                      {"b_D", f32(bD)}});
    const auto nOv = 2 * d;
    const nlohmann::json config = {{"sae_type", "lorsa"},
                                   {"d_model", d},
                                   {"expansion_factor", 2.0},
                                   {"n_qk_heads", nHeads},
                                   {"d_qk_head", dHead},
                                   {"hook_point_in", "blocks." + std::to_string(layer) + ".ln1.hook_normalized"},
                                   {"hook_point_out", "blocks." + std::to_string(layer) + ".hook_attn_out"},
                                   {"act_fn", "relu"},
                                   {"top_k", nOv},
                                   {"use_decoder_bias", true},
                                   {"norm_activation", "inference"},
                                   {"sparsity_include_decoder_norm", false},
                                   {"positional_embedding_type", "none"},
                                   {"rotary_dim", dHead},
                                   {"rotary_base", 10000},
                                   {"n_ctx", 64},
                                   {"attn_scale", std::sqrt(static_cast<double>(dHead))},
                                   {"use_post_qk_ln", false}};
    std::ofstream(lorsaDir / "config.json") << config.dump(2);
}

} // namespace lorsa::test
