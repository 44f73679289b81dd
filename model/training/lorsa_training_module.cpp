#include "model/training/lorsa_training_module.h"

#include "model/core/error.h"
#include "model/transformer/transformer_weights.h"

#include <c10/core/GradMode.h>
#include <cmath>
#include <limits>

namespace lorsa {
namespace {

at::Tensor parameter(at::IntArrayRef shape, at::Device device)
{
    return at::zeros(shape, at::TensorOptions().dtype(at::kFloat).device(device)).requires_grad_(true);
}

} // namespace

LorsaTrainingModule::LorsaTrainingModule(const LorsaConfig& config, at::Device device)
    : m_config(config), m_device(device)
{
    const auto& c = m_config;
    m_wQ = parameter({c.nQkHeads, c.dModel, c.dQkHead}, device);
    m_wK = parameter({c.nQkHeads, c.dModel, c.dQkHead}, device);
    m_bQ = parameter({c.nQkHeads, c.dQkHead}, device);
    m_bK = parameter({c.nQkHeads, c.dQkHead}, device);
    m_wV = parameter({c.nOvHeads, c.dModel}, device);
    m_wO = parameter({c.nOvHeads, c.dModel}, device);
    m_bV = parameter({c.nOvHeads}, device);
    m_bD = parameter({c.dModel}, device);
    if (c.rotary)
        m_rotary = RotaryEmbedding(c, device, at::kFloat);
}

std::vector<std::pair<std::string, at::Tensor>> LorsaTrainingModule::parameters() const
{
    return {{"W_Q", m_wQ}, {"W_K", m_wK}, {"W_V", m_wV}, {"W_O", m_wO}, {"b_Q", m_bQ}, {"b_K", m_bK}, {"b_V", m_bV}, {"b_D", m_bD}};
}

void LorsaTrainingModule::setParameter(const std::string& name, const at::Tensor& value)
{
    for (auto& [key, tensor] : parameters()) {
        if (key != name)
            continue;
        if (value.sizes() != tensor.sizes())
            throw Error(ErrorKind::InvalidFile, "Lorsa parameter '" + name + "' has the wrong shape");
        c10::NoGradGuard noGrad;
        tensor.copy_(value.to(m_device, at::kFloat));
        return;
    }
    throw Error(ErrorKind::InvalidFile, "no Lorsa parameter named '" + name + "'");
}

void LorsaTrainingModule::initRandom(uint64_t seed)
{
    c10::NoGradGuard noGrad;
    auto generator = at::detail::createCPUGenerator(seed);
    const auto& c = m_config;
    const auto uniform = [&](at::Tensor& target, double bound) {
        target.copy_(at::empty(target.sizes(), at::kFloat).uniform_(-bound, bound, generator));
    };
    // torch's xavier_uniform_ on [n_qk,d,d_qk]: fan_in = d*d_qk, fan_out = n_qk*d_qk.
    const double xavier = std::sqrt(6.0 / static_cast<double>(c.dModel * c.dQkHead + c.nQkHeads * c.dQkHead));
    uniform(m_wQ, xavier);
    uniform(m_wK, xavier);
    uniform(m_wV, 1.0 / std::sqrt(static_cast<double>(c.nOvHeads)));
    uniform(m_wO, 1.0 / std::sqrt(static_cast<double>(c.dModel)));
    for (auto* bias : {&m_bQ, &m_bK, &m_bV, &m_bD})
        bias->zero_();
}

void LorsaTrainingModule::initQkFromModel(const BlockWeights& block, const ModelConfig& model)
{
    const auto& c = m_config;
    if (c.dQkHead != model.dHead)
        throw Error(ErrorKind::InvalidInput, "--init-from-model needs --d-qk-head equal to the model's d_head (" +
                                                 std::to_string(model.dHead) + "), found " + std::to_string(c.dQkHead));
    if (c.nQkHeads % model.nHeads != 0)
        throw Error(ErrorKind::InvalidInput, "--init-from-model needs --n-qk-heads to be a multiple of the model's " +
                                                 std::to_string(model.nHeads) + " heads, found " + std::to_string(c.nQkHeads));
    if (!c.averageNormIn)
        throw Error(ErrorKind::InvalidInput, "the input norm must be estimated before the QK heads are copied");
    c10::NoGradGuard noGrad;
    const int64_t repeat = c.nQkHeads / model.nHeads, group = model.nHeads / model.nKvHeads, dh = model.dHead;
    // The module reads x * sqrt(d)/N_in; the model's heads read x.
    const double scale = *c.averageNormIn / std::sqrt(static_cast<double>(c.dModel));
    const auto lnWeight = block.ln1.weight.to(at::kCPU, at::kFloat);  // [d]
    const auto lnBias = block.ln1.bias.defined() ? block.ln1.bias.to(at::kCPU, at::kFloat) : at::zeros_like(lnWeight);
    const auto fold = [&](const at::Tensor& w, const at::Tensor& b, int64_t head, at::Tensor& wOut, at::Tensor& bOut, int64_t j) {
        const auto wHead = w.to(at::kCPU, at::kFloat).narrow(1, head * dh, dh);  // [d,dh]
        // (x*w_ln + b_ln) W + b = x (diag(w_ln) W) + (b_ln W + b)
        wOut[j].copy_((lnWeight.unsqueeze(1) * wHead * scale).to(m_device));
        auto bias = at::matmul(lnBias, wHead);
        if (b.defined())
            bias = bias + b.to(at::kCPU, at::kFloat).narrow(0, head * dh, dh);
        bOut[j].copy_(bias.to(m_device));
    };
    for (int64_t j = 0; j < c.nQkHeads; ++j) {
        const int64_t head = j / repeat;
        fold(block.wQ, block.bQ, head, m_wQ, m_bQ, j);
        fold(block.wK, block.bK, head / group, m_wK, m_bK, j);
    }
}

LorsaTrainingForward LorsaTrainingModule::forward(const at::Tensor& x, int64_t k) const
{
    const auto& c = m_config;
    const int64_t b = x.size(0), t = x.size(1), g = c.nOvHeads / c.nQkHeads;
    const auto project = [&](const at::Tensor& w, const at::Tensor& bias) {
        const auto flat = w.permute({1, 0, 2}).reshape({c.dModel, c.nQkHeads * c.dQkHead});
        auto out = at::matmul(x, flat).unflatten(-1, {c.nQkHeads, c.dQkHead}) + bias;  // [B,T,n_qk,d_qk]
        return c.rotary ? m_rotary.apply(out) : out;
    };
    const auto q = project(m_wQ, m_bQ).permute({0, 2, 1, 3}).to(at::kFloat);  // [B,n_qk,T,d]
    const auto kk = project(m_wK, m_bK).permute({0, 2, 3, 1}).to(at::kFloat); // [B,n_qk,d,T]
    const auto future = at::ones({t, t}, at::TensorOptions().dtype(at::kBool).device(x.device())).triu(1);
    const auto scores = (at::matmul(q, kk) / c.attnScale).masked_fill(future, -std::numeric_limits<double>::infinity());
    const auto pattern = at::softmax(scores, -1);                                       // [B,n_qk,T,T]
    const auto v = (at::matmul(x, m_wV.t()) + m_bV).view({b, t, c.nQkHeads, g}).permute({0, 2, 1, 3});  // [B,n_qk,T,g]
    LorsaTrainingForward out;
    out.hiddenPre = at::matmul(pattern.to(v.scalar_type()), v).permute({0, 2, 1, 3}).reshape({b, t, c.nOvHeads});
    at::Tensor keep;  // [B,T,n_ov]
    {
        // The gate as Language-Model-SAEs' topk with sparsity_include_decoder_norm: rank
        // relu(hidden_pre * |W_O|), keep the k largest; no gradient flows through the choice.
        c10::NoGradGuard noGrad;
        const auto ranked = (out.hiddenPre * m_wO.norm(2, {1})).clamp_min(0);
        const auto kth = std::get<0>(ranked.topk(k, -1)).narrow(-1, k - 1, 1);
        keep = ranked.ge(kth).logical_and(ranked.gt(0));
    }
    out.featureActs = out.hiddenPre * keep;
    out.reconstructed = at::matmul(out.featureActs, m_wO) + m_bD;
    return out;
}

AdamState::AdamState(const std::vector<std::pair<std::string, at::Tensor>>& parameters, double beta1, double beta2)
    : m_beta1(beta1), m_beta2(beta2)
{
    for (const auto& [name, p] : parameters) {
        m_first.emplace_back(name, at::zeros_like(p).detach());
        m_second.emplace_back(name, at::zeros_like(p).detach());
    }
}

void AdamState::step(const std::vector<std::pair<std::string, at::Tensor>>& parameters, double lr)
{
    c10::NoGradGuard noGrad;
    ++m_steps;
    const double correction1 = 1.0 - std::pow(m_beta1, static_cast<double>(m_steps));
    const double correction2 = 1.0 - std::pow(m_beta2, static_cast<double>(m_steps));
    for (size_t i = 0; i < parameters.size(); ++i) {
        auto p = parameters[i].second;
        const auto grad = p.grad();
        if (!grad.defined())
            continue;
        auto& m = m_first[i].second;
        auto& v = m_second[i].second;
        m.mul_(m_beta1).add_(grad, 1.0 - m_beta1);
        v.mul_(m_beta2).addcmul_(grad, grad, 1.0 - m_beta2);
        const auto denominator = (v.sqrt() / std::sqrt(correction2)).add_(m_eps);
        p.addcdiv_(m, denominator, -lr / correction1);
    }
}

std::vector<std::pair<std::string, at::Tensor>> AdamState::moments() const
{
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& [name, m] : m_first)
        out.emplace_back("adam_m." + name, m);
    for (const auto& [name, v] : m_second)
        out.emplace_back("adam_v." + name, v);
    return out;
}

void AdamState::setMoment(const std::string& name, const at::Tensor& value)
{
    for (auto* list : {&m_first, &m_second})
        for (auto& [key, tensor] : *list)
            if (name == (list == &m_first ? "adam_m." : "adam_v.") + key) {
                if (value.sizes() != tensor.sizes())
                    throw Error(ErrorKind::InvalidFile, "optimizer moment '" + name + "' has the wrong shape");
                tensor.copy_(value.to(tensor.device(), at::kFloat));
                return;
            }
    throw Error(ErrorKind::InvalidFile, "no optimizer moment named '" + name + "'");
}

double clipGradientNorm(const std::vector<std::pair<std::string, at::Tensor>>& parameters, double maxNorm)
{
    c10::NoGradGuard noGrad;
    std::vector<at::Tensor> norms;
    for (const auto& [name, p] : parameters)
        if (p.grad().defined())
            norms.push_back(p.grad().norm(2));
    if (norms.empty())
        return 0.0;
    const double total = at::stack(norms).norm(2).item<double>();
    if (maxNorm > 0 && total > maxNorm) {
        const double factor = maxNorm / (total + 1e-6);
        for (const auto& [name, p] : parameters)
            if (p.grad().defined())
                p.grad().mul_(factor);
    }
    return total;
}

} // namespace lorsa
