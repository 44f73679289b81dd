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
    w.wQ = reader.tensor("W_Q", {nQk, d, dQk});
    w.wK = reader.tensor("W_K", {nQk, d, dQk});
    w.bQ = reader.tensor("b_Q", {nQk, dQk});
    w.bK = reader.tensor("b_K", {nQk, dQk});
    if (config.format == LorsaFormat::OriginalRelease) {
        w.wV = reader.tensor("W_V", {nOv, d, 1}).reshape({nOv, d});
        w.wO = reader.tensor("W_O", {nOv, 1, d}).reshape({nOv, d});
        w.bV = reader.tensor("b_V", {nOv, 1}).reshape({nOv});
        w.bD = reader.tensor("b_O", {d});
    } else {
        w.wV = reader.tensor("W_V", {nOv, d});
        w.wO = reader.tensor("W_O", {nOv, d});
        w.bV = reader.tensor("b_V", {nOv});
        w.bD = config.useDecoderBias ? reader.tensor("b_D", {d}) : at::zeros({d}, at::kDouble);
        if (config.activation == LorsaActivation::JumpRelu)
            w.logThreshold = reader.tensor("activation_function.log_jumprelu_threshold", {nOv});
        if (config.usePostQkLn) {
            w.lnQ = reader.tensor("ln_q.w", {nQk, dQk});
            w.lnK = reader.tensor("ln_k.w", {nQk, dQk});
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
