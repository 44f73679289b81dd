#include "tests/model/lorsa/lorsa_reference.h"

#include "model/io/tensor_source.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace lorsa::test {

std::map<std::string, at::Tensor> readAllDouble(const std::filesystem::path& file)
{
    auto source = openSafetensors(file);
    std::map<std::string, at::Tensor> out;
    for (const auto& name : source->names())
        out[name] = source->load(name).to(at::kDouble).clone();
    return out;
}

double maxRelativeError(const at::Tensor& actual, const at::Tensor& expected)
{
    const auto a = actual.to(at::kDouble).cpu();
    const auto e = expected.to(at::kDouble).cpu();
    const double scale = e.abs().max().item<double>();
    const double diff = (a - e).abs().max().item<double>();
    if (scale == 0)
        return diff;
    return diff / scale;
}

namespace {

double invFrequency(const LorsaFixtureOptions& o, int64_t pair)
{
    const double inv = std::pow(o.rotaryBase, -2.0 * static_cast<double>(pair) / static_cast<double>(o.rotaryDim));
    if (!o.ntkByParts)
        return inv;
    // Llama-3.1 NTK-by-parts with the fixture's factors (8, 1, 4, old context 16).
    const double factor = 8, low = 1, high = 4, oldLen = 16;
    const double wavelen = 2 * std::numbers::pi / inv;
    if (wavelen < oldLen / high)
        return inv;
    if (wavelen > oldLen / low)
        return inv / factor;
    const double smooth = (oldLen / wavelen - low) / (high - low);
    return (1 - smooth) * inv / factor + smooth * inv;
}

// x: [B,T,H,D]; rotates pairs position by position.
at::Tensor rotate(const at::Tensor& x, const LorsaFixtureOptions& o)
{
    auto out = x.clone();
    const int64_t half = o.rotaryDim / 2;
    for (int64_t t = 0; t < x.size(1); ++t) {
        for (int64_t j = 0; j < half; ++j) {
            const int64_t i0 = o.rotaryAdjacentPairs ? 2 * j : j;
            const int64_t i1 = o.rotaryAdjacentPairs ? 2 * j + 1 : j + half;
            const double angle = static_cast<double>(t) * invFrequency(o, j);
            const auto a = x.select(1, t).select(-1, i0);
            const auto b = x.select(1, t).select(-1, i1);
            out.select(1, t).select(-1, i0).copy_(a * std::cos(angle) - b * std::sin(angle));
            out.select(1, t).select(-1, i1).copy_(b * std::cos(angle) + a * std::sin(angle));
        }
    }
    return out;
}

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& w)
{
    return x / (x.pow(2).mean(-1, true) + 1e-6).sqrt() * w;
}

} // namespace

ReferenceOutput referenceForward(const std::filesystem::path& dir, const LorsaFixtureOptions& o, const at::Tensor& xModel)
{
    auto w = readAllDouble(dir / "sae_weights.safetensors");
    const int64_t nQk = o.nQkHeads, nOv = o.nOvHeads, group = nOv / nQk;
    const double root = std::sqrt(static_cast<double>(o.dModel));
    const double fIn = o.datasetWise ? root / o.normIn : 1.0;
    const double fOut = o.datasetWise ? root / o.normOut : 1.0;
    const auto x = xModel.to(at::kDouble) * fIn;  // [B,T,d]
    const int64_t batch = x.size(0), t = x.size(1);

    auto q = at::einsum("btd,hdk->bthk", {x, w["W_Q"]}) + w["b_Q"];
    auto k = at::einsum("btd,hdk->bthk", {x, w["W_K"]}) + w["b_K"];
    if (o.postQkLn) {
        q = rmsNorm(q, w["ln_q.w"]);
        k = rmsNorm(k, w["ln_k.w"]);
    }
    if (o.rotary) {
        q = rotate(q, o);
        k = rotate(k, o);
    }
    const double attnScale = o.attnScale ? *o.attnScale : std::sqrt(static_cast<double>(o.dQkHead));
    auto scores = at::einsum("bqhd,bkhd->bhqk", {q, k}) / attnScale;
    for (int64_t i = 0; i < t; ++i)
        for (int64_t j = i + 1; j < t; ++j)
            scores.select(2, i).select(2, j).fill_(-INFINITY);
    ReferenceOutput r;
    r.pattern = at::softmax(scores, -1);

    // Materialise every OV head's z-pattern, as encode_z_patterns does.
    const auto v = at::einsum("btd,nd->btn", {x, w["W_V"]}) + w["b_V"];            // [B,T,n_ov]
    const auto perOv = r.pattern.repeat_interleave(group, 1);                       // [B,n_ov,T,T]
    r.zPatterns = perOv * v.permute({0, 2, 1}).unsqueeze(2);
    r.hiddenPre = r.zPatterns.sum(-1).permute({0, 2, 1});                           // [B,T,n_ov]

    // from_pretrained folds the norms: W_O / f_out is the decoder the sparsity sees.
    const auto wO = w["W_O"] / fOut;
    const auto norm = wO.norm(2, {1});
    const auto s = o.sparsityIncludeDecoderNorm ? r.hiddenPre * norm : r.hiddenPre.clone();
    auto acts = at::zeros_like(s);
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t p = 0; p < t; ++p) {
            std::vector<double> row(static_cast<size_t>(nOv));
            for (int64_t i = 0; i < nOv; ++i)
                row[static_cast<size_t>(i)] = s[b][p][i].item<double>();
            double threshold = 0;
            if (o.actFn == "topk") {
                std::vector<double> sorted = row;
                for (auto& value : sorted)
                    value = std::max(value, 0.0);
                std::sort(sorted.begin(), sorted.end(), std::greater<>());
                threshold = sorted[static_cast<size_t>(o.topK - 1)];
            }
            for (int64_t i = 0; i < nOv; ++i) {
                const double value = row[static_cast<size_t>(i)];
                bool keep = false;
                if (o.actFn == "topk")
                    keep = value > 0 && value >= threshold;
                else if (o.actFn == "relu")
                    keep = value > 0;
                else
                    keep = value > std::exp(w["activation_function.log_jumprelu_threshold"][i].item<double>());
                if (keep)
                    acts[b][p][i] = o.sparsityIncludeDecoderNorm ? value / norm[i].item<double>() : value;
            }
        }
    }
    r.featureActs = acts;
    const auto bD = o.decoderBias ? w["b_D"] : at::zeros({o.dModel}, at::kDouble);
    r.reconstructed = (at::matmul(acts, w["W_O"]) + bD) / fOut;
    return r;
}

} // namespace lorsa::test
