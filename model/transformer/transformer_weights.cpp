#include "model/transformer/transformer_weights.h"

#include "model/core/error.h"
#include "model/io/checked_tensor.h"

#include <map>
#include <memory>
#include <sstream>

namespace lorsa {
namespace {

// Reads named tensors from the checkpoint, validating each one exactly once, and converting it to
// the run's device and dtype.
class WeightReader {
public:
    WeightReader(std::unique_ptr<TensorSource> source, at::Device device, at::ScalarType dtype)
        : m_source(std::move(source)), m_device(device), m_dtype(dtype), m_keepHalf(device.is_cpu() && dtype == at::kFloat)
    {
    }

    const std::string& prefix() const { return m_prefix; }
    void setPrefix(std::string prefix) { m_prefix = std::move(prefix); }
    bool contains(const std::string& name) const { return m_source->contains(m_prefix + name); }
    const std::filesystem::path& path() const { return m_source->path(); }
    int64_t parameterCount() const { return m_parameters; }

    /// The tensor \p name (after the prefix) with exactly \p shape and finite values, on the CPU:
    /// float32 (F16 has no CPU matmul, F64 is not a run dtype), or as stored when the run keeps
    /// stored half-precision weights (then it aliases the mapped file: read-only).
    at::Tensor read(const std::string& name, std::vector<int64_t> shape)
    {
        const auto stored = m_source->contains(m_prefix + name) ? m_source->info(m_prefix + name).dtype : std::string();
        const bool keep = m_keepHalf && (stored == "BF16" || stored == "F16");
        auto tensor = loadFloatTensor(*m_source, m_prefix + name, shape,
                                      keep ? (stored == "BF16" ? at::kBFloat16 : at::kHalf) : at::kFloat);
        m_parameters += tensor.numel();
        return tensor;
    }

    /// Moves a (possibly transposed or sliced) tensor to the run's device and dtype, contiguous;
    /// a kept half-precision weight stays as it is (a view; converted where it is used).
    at::Tensor place(const at::Tensor& tensor) const
    {
        if (m_keepHalf && (tensor.scalar_type() == at::kBFloat16 || tensor.scalar_type() == at::kHalf))
            return tensor;
        return tensor.to(m_device, m_dtype).contiguous();
    }

private:
    std::unique_ptr<TensorSource> m_source;
    at::Device m_device;
    at::ScalarType m_dtype;
    // A float32 CPU run of a half-precision checkpoint: a float32 copy of every weight would
    // double the memory of a 1.7B model (3.4 GB -> 6.8 GB), so weights stay as stored.
    bool m_keepHalf;
    std::string m_prefix;
    int64_t m_parameters = 0;
};

std::unique_ptr<TensorSource> openWeights(const std::filesystem::path& dir)
{
    const auto single = dir / "model.safetensors";
    const auto index = dir / "model.safetensors.index.json";
    if (std::filesystem::exists(single))
        return openSafetensors(single);
    if (std::filesystem::exists(index))
        return openShardedSafetensors(index);
    throw Error(ErrorKind::InvalidFile, dir.string() + ": no model.safetensors or model.safetensors.index.json");
}

// A tied unembedding is the embedding read transposed: a view, so that the largest matrix is
// held once (matmuls take transposed operands as they are).
at::Tensor tiedUnembedding(const at::Tensor& embedding) { return embedding.t(); }

// HF Linear stores [out, in]; we keep [in, out] (contiguous, or a transposed view of a kept weight).
at::Tensor linear(WeightReader& r, const std::string& name, int64_t in, int64_t out)
{
    return r.place(r.read(name, {out, in}).t());
}

NormWeights layerNorm(WeightReader& r, const std::string& name, int64_t d, bool withBias = true)
{
    NormWeights norm;
    norm.weight = r.place(r.read(name + ".weight", {d}));
    if (withBias)
        norm.bias = r.place(r.read(name + ".bias", {d}));
    return norm;
}

void readGpt2(WeightReader& r, const ModelConfig& c, TransformerWeights& w, const std::function<void(double)>& progress)
{
    const int64_t d = c.dModel;
    r.setPrefix(r.contains("transformer.wte.weight") ? "transformer." : "");
    w.tokenEmbedding = r.place(r.read("wte.weight", {c.vocabSize, d}));
    w.positionEmbedding = r.place(r.read("wpe.weight", {c.nCtx, d}));
    for (int64_t i = 0; i < c.nLayers; ++i) {
        const auto p = "h." + std::to_string(i) + ".";
        BlockWeights b;
        b.ln1 = layerNorm(r, p + "ln_1", d);
        b.ln2 = layerNorm(r, p + "ln_2", d);
        // Conv1D keeps [in, out] already; c_attn's columns are q | k | v, each head-major.
        const auto qkv = r.read(p + "attn.c_attn.weight", {d, 3 * d});
        const auto qkvBias = r.read(p + "attn.c_attn.bias", {3 * d});
        b.wQ = r.place(qkv.narrow(1, 0, d));
        b.wK = r.place(qkv.narrow(1, d, d));
        b.wV = r.place(qkv.narrow(1, 2 * d, d));
        b.bQ = r.place(qkvBias.narrow(0, 0, d));
        b.bK = r.place(qkvBias.narrow(0, d, d));
        b.bV = r.place(qkvBias.narrow(0, 2 * d, d));
        b.wO = r.place(r.read(p + "attn.c_proj.weight", {d, d}));
        b.bO = r.place(r.read(p + "attn.c_proj.bias", {d}));
        b.wIn = r.place(r.read(p + "mlp.c_fc.weight", {d, c.dMlp}));
        b.bIn = r.place(r.read(p + "mlp.c_fc.bias", {c.dMlp}));
        b.wOut = r.place(r.read(p + "mlp.c_proj.weight", {c.dMlp, d}));
        b.bOut = r.place(r.read(p + "mlp.c_proj.bias", {d}));
        w.blocks.push_back(std::move(b));
        if (progress)
            progress(double(i + 1) / double(c.nLayers + 1));
    }
    w.lnFinal = layerNorm(r, "ln_f", d);
    // The Hub's gpt2 has no lm_head: it is tied to wte.
    r.setPrefix("");
    if (!c.tiedEmbeddings && r.contains("lm_head.weight"))
        w.unembedding = linear(r, "lm_head.weight", d, c.vocabSize);
    else
        w.unembedding = tiedUnembedding(w.tokenEmbedding);
}

void readNeox(WeightReader& r, const ModelConfig& c, TransformerWeights& w, const std::function<void(double)>& progress)
{
    const int64_t d = c.dModel, H = c.nHeads, dh = c.dHead;
    r.setPrefix("gpt_neox.");
    w.tokenEmbedding = r.place(r.read("embed_in.weight", {c.vocabSize, d}));
    for (int64_t i = 0; i < c.nLayers; ++i) {
        const auto p = "layers." + std::to_string(i) + ".";
        BlockWeights b;
        b.ln1 = layerNorm(r, p + "input_layernorm", d);
        b.ln2 = layerNorm(r, p + "post_attention_layernorm", d);
        // Fused rows are per head [q|k|v]: row (h*3 + c)*dh + j.
        const auto qkv = r.read(p + "attention.query_key_value.weight", {3 * d, d}).reshape({H, 3, dh, d});
        auto part = [&](int64_t which) { return r.place(qkv.select(1, which).reshape({H * dh, d}).t()); };
        b.wQ = part(0);
        b.wK = part(1);
        b.wV = part(2);
        if (c.attentionBias) {
            const auto bias = r.read(p + "attention.query_key_value.bias", {3 * d}).reshape({H, 3, dh});
            b.bQ = r.place(bias.select(1, 0).reshape({H * dh}));
            b.bK = r.place(bias.select(1, 1).reshape({H * dh}));
            b.bV = r.place(bias.select(1, 2).reshape({H * dh}));
        }
        b.wO = linear(r, p + "attention.dense.weight", d, d);
        if (c.attentionBias)
            b.bO = r.place(r.read(p + "attention.dense.bias", {d}));
        b.wIn = linear(r, p + "mlp.dense_h_to_4h.weight", d, c.dMlp);
        b.bIn = r.place(r.read(p + "mlp.dense_h_to_4h.bias", {c.dMlp}));
        b.wOut = linear(r, p + "mlp.dense_4h_to_h.weight", c.dMlp, d);
        b.bOut = r.place(r.read(p + "mlp.dense_4h_to_h.bias", {d}));
        w.blocks.push_back(std::move(b));
        if (progress)
            progress(double(i + 1) / double(c.nLayers + 1));
    }
    w.lnFinal = layerNorm(r, "final_layer_norm", d);
    r.setPrefix("");
    if (c.tiedEmbeddings && !r.contains("embed_out.weight"))
        w.unembedding = tiedUnembedding(w.tokenEmbedding);
    else
        w.unembedding = linear(r, "embed_out.weight", d, c.vocabSize);
}

void readLlama(WeightReader& r, const ModelConfig& c, TransformerWeights& w, const std::function<void(double)>& progress)
{
    const int64_t d = c.dModel, q = c.nHeads * c.dHead, kv = c.nKvHeads * c.dHead;
    r.setPrefix("model.");
    w.tokenEmbedding = r.place(r.read("embed_tokens.weight", {c.vocabSize, d}));
    for (int64_t i = 0; i < c.nLayers; ++i) {
        const auto p = "layers." + std::to_string(i) + ".";
        BlockWeights b;
        b.ln1 = layerNorm(r, p + "input_layernorm", d, false);
        b.ln2 = layerNorm(r, p + "post_attention_layernorm", d, false);
        b.wQ = linear(r, p + "self_attn.q_proj.weight", d, q);
        b.wK = linear(r, p + "self_attn.k_proj.weight", d, kv);
        b.wV = linear(r, p + "self_attn.v_proj.weight", d, kv);
        b.wO = linear(r, p + "self_attn.o_proj.weight", q, d);
        if (c.attentionBias) {
            b.bQ = r.place(r.read(p + "self_attn.q_proj.bias", {q}));
            b.bK = r.place(r.read(p + "self_attn.k_proj.bias", {kv}));
            b.bV = r.place(r.read(p + "self_attn.v_proj.bias", {kv}));
        }
        if (c.attentionOutputBias)
            b.bO = r.place(r.read(p + "self_attn.o_proj.bias", {d}));
        if (c.qkNorm) {
            b.qNorm = r.place(r.read(p + "self_attn.q_norm.weight", {c.dHead}));
            b.kNorm = r.place(r.read(p + "self_attn.k_norm.weight", {c.dHead}));
        }
        b.wGate = linear(r, p + "mlp.gate_proj.weight", d, c.dMlp);
        b.wIn = linear(r, p + "mlp.up_proj.weight", d, c.dMlp);
        b.wOut = linear(r, p + "mlp.down_proj.weight", c.dMlp, d);
        if (c.mlpBias) {
            b.bGate = r.place(r.read(p + "mlp.gate_proj.bias", {c.dMlp}));
            b.bIn = r.place(r.read(p + "mlp.up_proj.bias", {c.dMlp}));
            b.bOut = r.place(r.read(p + "mlp.down_proj.bias", {d}));
        }
        w.blocks.push_back(std::move(b));
        if (progress)
            progress(double(i + 1) / double(c.nLayers + 1));
    }
    w.lnFinal = layerNorm(r, "norm", d, false);
    r.setPrefix("");
    if (c.tiedEmbeddings && !r.contains("lm_head.weight"))
        w.unembedding = tiedUnembedding(w.tokenEmbedding);
    else
        w.unembedding = linear(r, "lm_head.weight", d, c.vocabSize);
}

} // namespace

TransformerWeights loadTransformerWeights(const std::filesystem::path& dir, const ModelConfig& config, at::Device device,
                                          at::ScalarType dtype, const std::function<void(double)>& progress)
{
    WeightReader reader(openWeights(dir), device, dtype);
    TransformerWeights weights;
    switch (config.architecture) {
    case Architecture::Gpt2: readGpt2(reader, config, weights, progress); break;
    case Architecture::GptNeox: readNeox(reader, config, weights, progress); break;
    case Architecture::Llama: readLlama(reader, config, weights, progress); break;
    }
    weights.parameterCount = reader.parameterCount();
    if (progress)
        progress(1.0);
    return weights;
}

at::ScalarType storedWeightDtype(const std::filesystem::path& dir)
{
    const auto source = openWeights(dir);
    std::map<std::string, int64_t> elements;  // by the file's dtype name
    for (const auto& name : source->names()) {
        const auto info = source->info(name);
        int64_t count = 1;
        for (const auto extent : info.shape)
            count *= extent;
        elements[info.dtype] += count;
    }
    const int64_t wide = elements["F32"] + elements["F64"];
    if (elements["BF16"] > wide && elements["BF16"] >= elements["F16"])
        return at::kBFloat16;
    return elements["F16"] > wide ? at::kHalf : at::kFloat;
}

} // namespace lorsa
