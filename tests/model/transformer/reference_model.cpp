#include "tests/model/transformer/reference_model.h"

#include "model/io/tensor_source.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <numbers>
#include <stdexcept>

namespace lorsa::test {
namespace {

using at::indexing::Slice;

at::Tensor sliceCols(const at::Tensor& w, int64_t begin, int64_t n) { return w.index({Slice(), Slice(begin, begin + n)}); }
at::Tensor sliceRows(const at::Tensor& w, int64_t begin, int64_t n) { return w.index({Slice(begin, begin + n)}); }

} // namespace

ReferenceModel::ReferenceModel(const std::filesystem::path& dir) : m_dir(dir)
{
    std::ifstream in(dir / "config.json");
    const auto c = nlohmann::json::parse(in);
    m_type = c.at("model_type").get<std::string>();
    auto source = std::filesystem::exists(dir / "model.safetensors")
                      ? openSafetensors(dir / "model.safetensors")
                      : openShardedSafetensors(dir / "model.safetensors.index.json");
    for (const auto& name : source->names())
        m_tensors[name] = source->load(name).to(at::kDouble).clone();
    if (m_type == "gpt2") {
        m_d = c.at("n_embd");
        m_layers = c.at("n_layer");
        m_heads = m_kvHeads = c.at("n_head");
        m_eps = c.at("layer_norm_epsilon");
        m_prefix = has("transformer.wte.weight") ? "transformer." : "";
        m_tied = true;
    } else if (m_type == "gpt_neox") {
        m_d = c.at("hidden_size");
        m_layers = c.at("num_hidden_layers");
        m_heads = m_kvHeads = c.at("num_attention_heads");
        m_eps = c.at("layer_norm_eps");
        m_parallel = c.at("use_parallel_residual");
        m_base = c.at("rotary_emb_base");
        m_rotary = int64_t(double(m_d / m_heads) * c.at("rotary_pct").get<double>());
        m_tied = c.at("tie_word_embeddings");
    } else {
        m_d = c.at("hidden_size");
        m_layers = c.at("num_hidden_layers");
        m_heads = c.at("num_attention_heads");
        m_kvHeads = c.at("num_key_value_heads");
        m_eps = c.at("rms_norm_eps");
        m_base = c.at("rope_theta");
        m_tied = c.at("tie_word_embeddings");
        m_llamaFamily = true;
        m_qkNorm = m_type == "qwen3";
        // transformers: head_dim from the config, else hidden / heads (Qwen3Config's default is 128).
        m_dh = c.contains("head_dim") ? c.at("head_dim").get<int64_t>() : m_type == "qwen3" ? 128 : m_d / m_heads;
        m_rotary = m_dh;
        if (c.contains("rope_scaling") && !c.at("rope_scaling").is_null()) {
            const auto& s = c.at("rope_scaling");
            m_llama3 = true;
            m_factor = s.at("factor");
            m_low = s.at("low_freq_factor");
            m_high = s.at("high_freq_factor");
            m_original = s.at("original_max_position_embeddings");
        }
    }
    if (!m_llamaFamily)
        m_dh = m_d / m_heads;
}

bool ReferenceModel::has(const std::string& name) const { return m_tensors.count(name) != 0; }

at::Tensor ReferenceModel::tensor(const std::string& name) const
{
    const auto it = m_tensors.find(name);
    if (it == m_tensors.end())
        throw std::runtime_error("reference: no tensor " + name);
    return it->second;
}

std::string ReferenceModel::layerPrefix(int64_t layer) const
{
    const auto i = std::to_string(layer);
    if (m_type == "gpt2")
        return m_prefix + "h." + i + ".";
    return (m_type == "gpt_neox" ? "gpt_neox.layers." : "model.layers.") + i + ".";
}

at::Tensor ReferenceModel::norm(const at::Tensor& x) const
{
    if (m_llamaFamily)
        return x / at::sqrt((x * x).mean({-1}, true) + m_eps);
    const auto centred = x - x.mean({-1}, true);
    return centred / at::sqrt((centred * centred).mean({-1}, true) + m_eps);
}

at::Tensor ReferenceModel::normAffine(const std::string& prefix, const at::Tensor& normalized) const
{
    auto y = normalized * tensor(prefix + ".weight");
    return m_llamaFamily ? y : y + tensor(prefix + ".bias");
}

at::Tensor ReferenceModel::ln1Affine(int64_t layer, const at::Tensor& normalized) const
{
    const auto p = layerPrefix(layer);
    return normAffine(p + (m_type == "gpt2" ? "ln_1" : "input_layernorm"), normalized);
}

at::Tensor ReferenceModel::activation(const at::Tensor& x) const
{
    if (m_type == "gpt2")  // gelu_new
        return 0.5 * x * (1.0 + at::tanh(std::sqrt(2.0 / std::numbers::pi) * (x + 0.044715 * x * x * x)));
    if (m_type == "gpt_neox")  // exact gelu
        return 0.5 * x * (1.0 + at::erf(x / std::sqrt(2.0)));
    return x / (1.0 + at::exp(-x));
}

at::Tensor ReferenceModel::rotate(const at::Tensor& x) const
{
    auto out = x.clone();
    const int64_t T = x.size(0), half = m_rotary / 2;
    auto xa = x.accessor<double, 2>();
    auto oa = out.accessor<double, 2>();
    for (int64_t i = 0; i < half; ++i) {
        double freq = std::pow(m_base, -2.0 * double(i) / double(m_rotary));
        if (m_llama3) {
            const double wavelen = 2.0 * std::numbers::pi / freq;
            if (wavelen > m_original / m_low) {
                freq /= m_factor;
            } else if (wavelen >= m_original / m_high) {
                const double smooth = (m_original / wavelen - m_low) / (m_high - m_low);
                freq = (1.0 - smooth) * freq / m_factor + smooth * freq;
            }
        }
        for (int64_t t = 0; t < T; ++t) {
            const double angle = double(t) * freq, c = std::cos(angle), s = std::sin(angle);
            const double a = xa[t][i], b = xa[t][i + half];
            oa[t][i] = a * c - b * s;
            oa[t][i + half] = b * c + a * s;
        }
    }
    return out;
}

at::Tensor ReferenceModel::attentionHeads(int64_t layer, const at::Tensor& input, std::map<std::string, at::Tensor>& hooks,
                                          const std::map<std::string, at::Tensor>& replace) const
{
    const auto p = layerPrefix(layer);
    const auto hp = "blocks." + std::to_string(layer) + ".attn.";
    const int64_t T = input.size(0), dh = m_dh;
    std::vector<at::Tensor> qs, ks, vs, patterns, zs, results;
    auto project = [&](int64_t head, int which) {  // which: 0 q, 1 k, 2 v -> [T,dh]
        if (m_type == "gpt2") {
            const int64_t col = which * m_d + head * dh;
            return input.matmul(sliceCols(tensor(p + "attn.c_attn.weight"), col, dh)) +
                   sliceRows(tensor(p + "attn.c_attn.bias"), col, dh);
        }
        if (m_type == "gpt_neox") {
            const int64_t row = (head * 3 + which) * dh;
            return input.matmul(sliceRows(tensor(p + "attention.query_key_value.weight"), row, dh).t()) +
                   sliceRows(tensor(p + "attention.query_key_value.bias"), row, dh);
        }
        static const char* names[] = {"q_proj", "k_proj", "v_proj"};
        const auto name = p + "self_attn." + names[which];
        auto y = input.matmul(sliceRows(tensor(name + ".weight"), head * dh, dh).t());
        return has(name + ".bias") ? y + sliceRows(tensor(name + ".bias"), head * dh, dh) : y;
    };
    // Qwen3: each head's q and k RMS-normalised over its d_head (weight per dimension) before rotary.
    auto headNorm = [&](const at::Tensor& x, const char* which) {
        if (!m_qkNorm)
            return x;
        return x / at::sqrt((x * x).mean({-1}, true) + m_eps) * tensor(p + "self_attn." + which + ".weight");
    };
    for (int64_t h = 0; h < m_heads; ++h)
        qs.push_back(m_rotary ? rotate(headNorm(project(h, 0), "q_norm")) : project(h, 0));
    for (int64_t h = 0; h < m_kvHeads; ++h) {
        ks.push_back(m_rotary ? rotate(headNorm(project(h, 1), "k_norm")) : project(h, 1));
        vs.push_back(project(h, 2));
    }
    auto hook = [&](const std::string& name, at::Tensor value) {
        const auto it = replace.find(name);
        hooks[name] = it != replace.end() ? it->second.to(at::kDouble) : value;
        return hooks[name];
    };
    hook(hp + "hook_q", at::stack(qs, 1));
    hook(hp + "hook_k", at::stack(ks, 1));
    hook(hp + "hook_v", at::stack(vs, 1));
    at::Tensor wO;  // [H*dh, d] as x W
    if (m_type == "gpt2")
        wO = tensor(p + "attn.c_proj.weight");
    else if (m_type == "gpt_neox")
        wO = tensor(p + "attention.dense.weight").t();
    else
        wO = tensor(p + "self_attn.o_proj.weight").t();
    for (int64_t h = 0; h < m_heads; ++h) {
        const int64_t kvHead = h / (m_heads / m_kvHeads);
        auto scores = qs[size_t(h)].matmul(ks[size_t(kvHead)].t()) / std::sqrt(double(dh));
        auto pattern = at::zeros({T, T}, at::kDouble);
        auto sa = scores.accessor<double, 2>();
        auto pa = pattern.accessor<double, 2>();
        for (int64_t t = 0; t < T; ++t) {
            double top = -INFINITY, sum = 0;
            for (int64_t s = 0; s <= t; ++s)
                top = std::max(top, sa[t][s]);
            for (int64_t s = 0; s <= t; ++s)
                sum += std::exp(sa[t][s] - top);
            for (int64_t s = 0; s <= t; ++s)
                pa[t][s] = std::exp(sa[t][s] - top) / sum;
        }
        patterns.push_back(pattern);
        zs.push_back(pattern.matmul(vs[size_t(kvHead)]));
        results.push_back(zs.back().matmul(sliceRows(wO, h * dh, dh)));
    }
    hook(hp + "hook_pattern", at::stack(patterns, 0));
    hook(hp + "hook_z", at::stack(zs, 1));
    auto out = hook(hp + "hook_result", at::stack(results, 0)).sum(0);
    for (const char* bias : {"attn.c_proj.bias", "attention.dense.bias", "self_attn.o_proj.bias"})
        if (has(p + bias))
            out = out + tensor(p + bias);
    return out;
}

at::Tensor ReferenceModel::mlp(int64_t layer, const at::Tensor& x) const
{
    const auto p = layerPrefix(layer);
    if (m_type == "gpt2")
        return activation(x.matmul(tensor(p + "mlp.c_fc.weight")) + tensor(p + "mlp.c_fc.bias"))
                   .matmul(tensor(p + "mlp.c_proj.weight")) +
               tensor(p + "mlp.c_proj.bias");
    if (m_type == "gpt_neox")
        return activation(x.matmul(tensor(p + "mlp.dense_h_to_4h.weight").t()) + tensor(p + "mlp.dense_h_to_4h.bias"))
                   .matmul(tensor(p + "mlp.dense_4h_to_h.weight").t()) +
               tensor(p + "mlp.dense_4h_to_h.bias");
    auto linear = [&](const std::string& name, const at::Tensor& in) {
        auto y = in.matmul(tensor(p + "mlp." + name + ".weight").t());
        return has(p + "mlp." + name + ".bias") ? y + tensor(p + "mlp." + name + ".bias") : y;
    };
    return linear("down_proj", activation(linear("gate_proj", x)) * linear("up_proj", x));
}

std::map<std::string, at::Tensor> ReferenceModel::run(const std::vector<int64_t>& tokens,
                                                      const std::map<std::string, at::Tensor>& replace) const
{
    std::map<std::string, at::Tensor> hooks;
    auto hook = [&](const std::string& name, at::Tensor value) {
        const auto it = replace.find(name);
        hooks[name] = it != replace.end() ? it->second.to(at::kDouble) : value;
        return hooks[name];
    };
    const auto ids = at::tensor(tokens, at::kLong);
    const int64_t T = ids.size(0);
    at::Tensor resid;
    if (m_type == "gpt2") {
        const auto embed = hook("hook_embed", tensor(m_prefix + "wte.weight").index_select(0, ids));
        const auto pos = hook("hook_pos_embed", sliceRows(tensor(m_prefix + "wpe.weight"), 0, T));
        resid = embed + pos;
    } else {
        resid = hook("hook_embed", tensor(m_type == "gpt_neox" ? "gpt_neox.embed_in.weight" : "model.embed_tokens.weight")
                                       .index_select(0, ids));
    }
    const bool gpt2 = m_type == "gpt2";
    for (int64_t layer = 0; layer < m_layers; ++layer) {
        const auto b = "blocks." + std::to_string(layer) + ".";
        const auto p = layerPrefix(layer);
        resid = hook(b + "hook_resid_pre", resid);
        const auto ln1 = hook(b + "ln1.hook_normalized", norm(resid));
        const auto attnOut = hook(b + "hook_attn_out", attentionHeads(layer, ln1Affine(layer, ln1), hooks, replace));
        at::Tensor mlpIn = resid;
        if (!m_parallel)
            mlpIn = hook(b + "hook_resid_mid", resid + attnOut);
        const auto ln2 = hook(b + "ln2.hook_normalized", norm(mlpIn));
        const auto mlpOut = hook(b + "hook_mlp_out", mlp(layer, normAffine(p + (gpt2 ? "ln_2" : "post_attention_layernorm"), ln2)));
        resid = hook(b + "hook_resid_post", m_parallel ? resid + attnOut + mlpOut : mlpIn + mlpOut);
    }
    const auto lnf = hook("ln_final.hook_normalized", norm(resid));
    at::Tensor unembed;  // [V,d]
    if (gpt2)
        unembed = tensor(m_prefix + "wte.weight");
    else if (m_type == "gpt_neox")
        unembed = tensor(m_tied ? "gpt_neox.embed_in.weight" : "embed_out.weight");
    else
        unembed = tensor(m_tied ? "model.embed_tokens.weight" : "lm_head.weight");
    const auto finalNorm = gpt2 ? m_prefix + "ln_f" : (m_type == "gpt_neox" ? "gpt_neox.final_layer_norm" : "model.norm");
    hook("logits", normAffine(finalNorm, lnf).matmul(unembed.t()));
    return hooks;
}

} // namespace lorsa::test
