#include "model/training/lorsa_training_checkpoint.h"

#include "model/core/atomic_file.h"
#include "model/core/error.h"
#include "model/io/tensor_source.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace lorsa {
namespace {

constexpr const char* kStateFormat = "lorsa-training-state-1";
const std::vector<std::string> kParameterNames = {"W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_D"};

std::string exact(double value)
{
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

at::Tensor flatten(const std::vector<std::vector<int64_t>>& rows)
{
    std::vector<int64_t> flat;
    for (const auto& row : rows)
        flat.insert(flat.end(), row.begin(), row.end());
    return at::tensor(flat, at::kLong);
}

class StateReader {
public:
    explicit StateReader(const std::filesystem::path& dir) : m_file(dir / kTrainingStateFile)
    {
        if (!std::filesystem::exists(m_file))
            throw Error(ErrorKind::InvalidFile, m_file.string() + ": no training state to resume from");
        m_source = openSafetensors(m_file);
        m_metadata = m_source->metadata();
        if (text("format") != kStateFormat)
            fail("not a Lorsa training state (format '" + text("format") + "')");
    }

    [[noreturn]] void fail(const std::string& problem) const { throw Error(ErrorKind::InvalidFile, m_file.string() + ": " + problem); }

    std::string text(const std::string& key) const
    {
        const auto it = m_metadata.find(key);
        if (it == m_metadata.end())
            fail("metadata '" + key + "' is missing");
        return it->second;
    }
    int64_t integer(const std::string& key, int64_t low) const
    {
        const auto value = text(key);
        int64_t out = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
        if (ec != std::errc() || end != value.data() + value.size() || out < low)
            fail("metadata '" + key + "' is not an integer >= " + std::to_string(low) + ": '" + value + "'");
        return out;
    }
    double positive(const std::string& key) const
    {
        const auto value = text(key);
        char* end = nullptr;
        const double out = std::strtod(value.c_str(), &end);
        if (end != value.c_str() + value.size() || !std::isfinite(out) || !(out > 0))
            fail("metadata '" + key + "' is not a positive number: '" + value + "'");
        return out;
    }
    at::Tensor tensor(const std::string& name, const std::string& dtype) const
    {
        if (!m_source->contains(name))
            fail("tensor '" + name + "' is missing");
        if (m_source->info(name).dtype != dtype)
            fail("tensor '" + name + "' is " + m_source->info(name).dtype + ", expected " + dtype);
        auto t = m_source->load(name).clone();
        if (t.is_floating_point() && !at::isfinite(t).all().item<bool>())
            fail("tensor '" + name + "' contains NaN or Inf");
        return t;
    }
    std::vector<std::vector<int64_t>> rows(const std::string& name, int64_t count, int64_t length) const
    {
        const auto flat = tensor(name, "I64");
        if (flat.dim() != 1 || flat.numel() != count * length)
            fail("tensor '" + name + "' does not hold " + std::to_string(count) + " rows of " + std::to_string(length) + " tokens");
        std::vector<std::vector<int64_t>> out;
        const auto* data = flat.data_ptr<int64_t>();
        for (int64_t r = 0; r < count; ++r)
            out.emplace_back(data + r * length, data + (r + 1) * length);
        return out;
    }

private:
    std::filesystem::path m_file;
    std::unique_ptr<TensorSource> m_source;
    std::map<std::string, std::string> m_metadata;
};

} // namespace

void saveTrainingState(const std::filesystem::path& dir, const LorsaTrainingState& state, const SafetensorsWriter& writer)
{
    NamedTensors tensors;
    for (const auto& [name, tensor] : state.parameters)
        tensors.emplace_back("param." + name, tensor.detach());
    for (const auto& [name, tensor] : state.moments)
        tensors.emplace_back(name, tensor.detach());
    tensors.emplace_back("tokens_since_fired", state.tokensSinceFired);
    const auto rowLength = state.data.buffer.empty() ? (state.data.readyRows.empty() ? 0 : state.data.readyRows[0].size())
                                                     : state.data.buffer[0].size();
    tensors.emplace_back("data.buffer", flatten(state.data.buffer));
    tensors.emplace_back("data.ready", flatten(state.data.readyRows));
    tensors.emplace_back("data.partial", at::tensor(state.data.partialRow, at::kLong));
    const std::map<std::string, std::string> metadata = {
        {"format", kStateFormat},
        {"step", std::to_string(state.step)},
        {"tokens", std::to_string(state.tokens)},
        {"norm_in", exact(state.normIn)},
        {"norm_out", exact(state.normOut)},
        {"adam_steps", std::to_string(state.adamSteps)},
        {"fingerprint", state.fingerprint},
        {"data.file_index", std::to_string(state.data.fileIndex)},
        {"data.byte_offset", std::to_string(state.data.byteOffset)},
        {"data.epoch", std::to_string(state.data.epoch)},
        {"data.random", state.data.random},
        {"data.buffer_rows", std::to_string(state.data.buffer.size())},
        {"data.ready_rows", std::to_string(state.data.readyRows.size())},
        {"data.row_length", std::to_string(rowLength)},
    };
    writer(dir / kTrainingStateFile, tensors, metadata);
}

LorsaTrainingState loadTrainingState(const std::filesystem::path& dir)
{
    const StateReader r(dir);
    LorsaTrainingState s;
    s.step = r.integer("step", 0);
    s.tokens = r.integer("tokens", 0);
    s.normIn = r.positive("norm_in");
    s.normOut = r.positive("norm_out");
    s.adamSteps = r.integer("adam_steps", 0);
    s.fingerprint = r.text("fingerprint");
    for (const auto& name : kParameterNames) {
        s.parameters.emplace_back(name, r.tensor("param." + name, "F32"));
        s.moments.emplace_back("adam_m." + name, r.tensor("adam_m." + name, "F32"));
    }
    for (const auto& name : kParameterNames)
        s.moments.emplace_back("adam_v." + name, r.tensor("adam_v." + name, "F32"));
    s.tokensSinceFired = r.tensor("tokens_since_fired", "I64");
    s.data.fileIndex = r.integer("data.file_index", 0);
    s.data.byteOffset = r.integer("data.byte_offset", 0);
    s.data.epoch = r.integer("data.epoch", 0);
    s.data.random = r.text("data.random");
    const auto length = r.integer("data.row_length", 0);
    s.data.buffer = r.rows("data.buffer", r.integer("data.buffer_rows", 0), length);
    s.data.readyRows = r.rows("data.ready", r.integer("data.ready_rows", 0), length);
    const auto partial = r.tensor("data.partial", "I64");
    s.data.partialRow.assign(partial.data_ptr<int64_t>(), partial.data_ptr<int64_t>() + partial.numel());
    return s;
}

void writeLorsaFolder(const std::filesystem::path& dir, const LorsaConfig& c, const NamedTensors& parameters,
                      const std::map<std::string, std::string>& metadata, const SafetensorsWriter& writer)
{
    NamedTensors tensors;
    for (const auto& [name, tensor] : parameters)
        tensors.emplace_back(name, tensor.detach().to(at::kCPU, at::kFloat));
    tensors.emplace_back("dataset_average_activation_norm." + c.hookPointIn, at::scalar_tensor(*c.averageNormIn, at::kFloat));
    tensors.emplace_back("dataset_average_activation_norm." + c.hookPointOut, at::scalar_tensor(*c.averageNormOut, at::kFloat));
    writer(dir / "sae_weights.safetensors", tensors, metadata);

    // Language-Model-SAEs derives n_ov = int(d_model * expansion_factor): pick the factor so
    // that the truncation lands exactly on n_ov.
    double expansion = static_cast<double>(c.nOvHeads) / static_cast<double>(c.dModel);
    while (static_cast<int64_t>(static_cast<double>(c.dModel) * expansion) < c.nOvHeads)
        expansion = std::nextafter(expansion, 2 * expansion);
    const nlohmann::ordered_json config = {
        {"sae_type", "lorsa"},
        {"d_model", c.dModel},
        {"expansion_factor", expansion},
        {"n_qk_heads", c.nQkHeads},
        {"d_qk_head", c.dQkHead},
        {"hook_point_in", c.hookPointIn},
        {"hook_point_out", c.hookPointOut},
        {"act_fn", "topk"},
        {"top_k", c.topK},
        {"use_decoder_bias", c.useDecoderBias},
        {"norm_activation", "dataset-wise"},
        {"sparsity_include_decoder_norm", true},
        {"positional_embedding_type", c.rotary ? "rotary" : "none"},
        {"rotary_dim", c.rotary ? c.rotaryDim : c.dQkHead},
        {"rotary_base", c.rotaryBase},
        {"rotary_adjacent_pairs", c.rotaryAdjacentPairs},
        {"rotary_scale", 1},
        {"use_NTK_by_parts_rope", c.useNtkByPartsRope},
        {"NTK_by_parts_factor", c.ntkFactor},
        {"NTK_by_parts_low_freq_factor", c.ntkLowFreqFactor},
        {"NTK_by_parts_high_freq_factor", c.ntkHighFreqFactor},
        {"old_context_len", c.oldContextLength},
        {"n_ctx", c.nCtx},
        {"attn_scale", c.attnScale},
        {"use_post_qk_ln", false},
        {"dtype", "float32"},
    };
    writeFileAtomically(dir / "config.json", config.dump(2) + "\n");
}

} // namespace lorsa
