#include "model/lorsa/lorsa_weights.h"

#include "model/core/error.h"
#include "model/io/checked_tensor.h"

#include <cmath>
#include <optional>
#include <sstream>

namespace lorsa {

namespace {

class Reader {
public:
    explicit Reader(const std::filesystem::path& file)
    {
        const auto ext = file.extension().string();
        m_source = ext == ".safetensors" ? openSafetensors(file) : openTorchZip(file);
        // Language-Model-SAEs' .pt files hold {"sae": state_dict, "version": ...}.
        m_prefix = "";
        if (!m_source->names().empty() && !m_source->contains("W_Q") && m_source->contains("sae.W_Q"))
            m_prefix = "sae.";
    }

    bool contains(const std::string& name) const { return m_source->contains(m_prefix + name); }

    /// A string of the file's metadata, empty when absent.
    std::string metadata(const std::string& key) const
    {
        const auto all = m_source->metadata();
        const auto it = all.find(key);
        return it == all.end() ? std::string() : it->second;
    }

    /// The named tensor as float64 after checking dtype, shape and finiteness.
    at::Tensor tensor(const std::string& name, at::IntArrayRef expected) const
    {
        return loadFloatTensor(*m_source, m_prefix + name, expected, at::kDouble);
    }

    /// A per-QK-head tensor [n_qk, rest...]: the file may store fewer heads, a divisor of n_qk, which
    /// upstream repeats head by head (head h of the Lorsa is stored head h / (n_qk / stored)).
    at::Tensor qkTensor(const std::string& name, int64_t nQk, std::vector<int64_t> rest) const
    {
        int64_t stored = nQk;
        if (contains(name)) {
            const auto info = m_source->info(m_prefix + name);
            if (!info.shape.empty() && info.shape[0] != nQk && info.shape.size() == rest.size() + 1 &&
                std::equal(rest.begin(), rest.end(), info.shape.begin() + 1)) {
                stored = info.shape[0];
                if (stored <= 0 || nQk % stored != 0)
                    fail("tensor '" + name + "' stores " + std::to_string(stored) + " QK heads; n_qk_heads in config.json (" +
                         std::to_string(nQk) + ") is not a multiple of that");
            }
        }
        rest.insert(rest.begin(), stored);
        const auto value = tensor(name, rest);
        return stored == nQk ? value : value.repeat_interleave(nQk / stored, 0);
    }

    /// A scalar (shape [] or [1]) or nothing.
    std::optional<double> scalar(const std::string& name) const
    {
        if (!contains(name))
            return std::nullopt;
        const TensorInfo info = m_source->info(m_prefix + name);
        int64_t numel = 1;
        for (auto s : info.shape)
            numel *= s;
        if (numel != 1)
            fail("tensor '" + name + "' has shape " + shapeText(info.shape) + ", expected a scalar");
        return tensor(name, info.shape).item<double>();
    }

    [[noreturn]] void fail(const std::string& problem) const
    {
        throw Error(ErrorKind::InvalidFile, m_source->path().string() + ": " + problem);
    }

private:
    std::unique_ptr<TensorSource> m_source;
    std::string m_prefix;
};

void readNorms(const Reader& reader, LorsaConfig& config)
{
    if (auto in = reader.scalar("dataset_average_activation_norm." + config.hookPointIn))
        config.averageNormIn = in;
    if (auto out = reader.scalar("dataset_average_activation_norm." + config.hookPointOut))
        config.averageNormOut = out;
    if (config.normActivation != "dataset-wise")
        return;
    const auto check = [&](const std::optional<double>& norm, const std::string& hook) {
        if (!norm)
            throw Error(ErrorKind::InvalidConfig, config.weightsFile.string() + ": norm_activation is dataset-wise but no dataset_average_activation_norm." + hook +
                                                      " is stored (nor in config.json)");
        if (!(*norm > 0) || !std::isfinite(*norm))
            reader.fail("dataset_average_activation_norm." + hook + " must be a positive finite number, found " + std::to_string(*norm));
    };
    check(config.averageNormIn, config.hookPointIn);
    check(config.averageNormOut, config.hookPointOut);
}

} // namespace

LorsaWeights loadLorsaWeights(LorsaConfig& config)
{
    const Reader reader(config.weightsFile);
    const int64_t nQk = config.nQkHeads, nOv = config.nOvHeads, d = config.dModel, dQk = config.dQkHead;
    LorsaWeights w;
    if (config.format == LorsaFormat::OriginalRelease) {
        w.wQ = reader.tensor("W_Q", {nQk, d, dQk});
        w.wK = reader.tensor("W_K", {nQk, d, dQk});
        w.bQ = reader.tensor("b_Q", {nQk, dQk});
        w.bK = reader.tensor("b_K", {nQk, dQk});
        w.wV = reader.tensor("W_V", {nOv, d, 1}).reshape({nOv, d});
        w.wO = reader.tensor("W_O", {nOv, 1, d}).reshape({nOv, d});
        w.bV = reader.tensor("b_V", {nOv, 1}).reshape({nOv});
        w.bD = reader.tensor("b_O", {d});
    } else {
        w.wQ = reader.qkTensor("W_Q", nQk, {d, dQk});
        w.wK = reader.qkTensor("W_K", nQk, {d, dQk});
        w.bQ = reader.qkTensor("b_Q", nQk, {dQk});
        w.bK = reader.qkTensor("b_K", nQk, {dQk});
        w.wV = reader.tensor("W_V", {nOv, d});
        w.wO = reader.tensor("W_O", {nOv, d});
        w.bV = reader.tensor("b_V", {nOv});
        w.bD = config.useDecoderBias ? reader.tensor("b_D", {d}) : at::zeros({d}, at::kDouble);
        if (config.activation == LorsaActivation::JumpRelu)
            w.logThreshold = reader.tensor("activation_function.log_jumprelu_threshold", {nOv});
        if (config.usePostQkLn) {
            w.lnQ = reader.qkTensor("ln_q.w", nQk, {dQk});
            w.lnK = reader.qkTensor("ln_k.w", nQk, {dQk});
        }
        // Persistent buffers: upstream loads them over the tables it computed from the config.
        if (config.rotary && (reader.contains("rotary_sin") || reader.contains("rotary_cos"))) {
            w.rotarySin = reader.tensor("rotary_sin", {config.nCtx, config.rotaryDim});
            w.rotaryCos = reader.tensor("rotary_cos", {config.nCtx, config.rotaryDim});
        }
        readNorms(reader, config);
        config.recordedInput = reader.metadata("lorsa_input");
    }
    for (const auto* t : {&w.wQ, &w.wK, &w.bQ, &w.bK, &w.wV, &w.wO, &w.bV, &w.logThreshold, &w.lnQ, &w.lnK})
        w.parameterCount += t->defined() ? t->numel() : 0;
    if (config.useDecoderBias)
        w.parameterCount += d;
    return w;
}

} // namespace lorsa
