#include "model/lorsa/lorsa_config.h"

#include "model/core/error.h"
#include "model/lorsa/json_fields.h"

#include <cmath>
#include <limits>
#include <regex>

namespace lorsa {

namespace {

// Sizes beyond these are not real checkpoints; refusing them keeps later size arithmetic
// (n_qk * d * d_qk, B * n * T * T) far from int64 overflow.
constexpr int64_t kMaxDim = 1 << 20;
constexpr int64_t kMaxContext = 1 << 22;

void requireRange(const JsonFields& f, const std::string& key, int64_t value, int64_t low, int64_t high)
{
    if (value < low || value > high)
        f.fail(key, "must be in " + std::to_string(low) + ".." + std::to_string(high) + ", found " + std::to_string(value));
}

// "blocks.L.<anything>" -> L; the engine only knows residual-stream layer hooks.
int64_t layerOfHook(const JsonFields& f, const std::string& key, const std::string& hook)
{
    static const std::regex pattern(R"(^blocks\.(\d{1,6})\.[A-Za-z0-9_.]+$)");
    std::smatch match;
    if (!std::regex_match(hook, match, pattern))
        f.fail(key, "'" + hook + "' is not a hook point of the form blocks.<layer>.<name>");
    return std::stoll(match[1].str());
}

void readRotary(const JsonFields& f, LorsaConfig& c, const std::string& defaultType, bool defaultAdjacent)
{
    const std::string type = f.string("positional_embedding_type", defaultType);
    if (type == "rotary")
        c.rotary = true;
    else if (type == "none" || type == "standard" || type == "default")
        c.rotary = false;
    else
        f.fail("positional_embedding_type", "must be \"rotary\" or \"none\", found \"" + type + "\"");
    c.rotaryBase = f.number("rotary_base", 10000.0);
    c.rotaryAdjacentPairs = f.boolean("rotary_adjacent_pairs", defaultAdjacent);
    c.rotaryScale = static_cast<double>(f.integer("rotary_scale", 1));
    c.useNtkByPartsRope = f.boolean("use_NTK_by_parts_rope", false);
    c.ntkFactor = f.number("NTK_by_parts_factor", 1.0);
    c.ntkLowFreqFactor = f.number("NTK_by_parts_low_freq_factor", 1.0);
    c.ntkHighFreqFactor = f.number("NTK_by_parts_high_freq_factor", 1.0);
    c.oldContextLength = f.integer("old_context_len", 2048);
    if (!c.rotary)
        return;
    c.rotaryDim = f.integer("rotary_dim");
    requireRange(f, "rotary_scale", static_cast<int64_t>(c.rotaryScale), 1, 64);
    const int64_t rotated = c.dQkHead * static_cast<int64_t>(c.rotaryScale);
    requireRange(f, "rotary_dim", c.rotaryDim, 2, rotated);
    if (c.rotaryDim % 2 != 0)
        f.fail("rotary_dim", "must be even, found " + std::to_string(c.rotaryDim));
    if (!(c.rotaryBase > 1.0))
        f.fail("rotary_base", "must be greater than 1");
    if (c.useNtkByPartsRope) {
        if (!(c.ntkFactor > 0) || !(c.ntkLowFreqFactor > 0) || !(c.ntkHighFreqFactor > 0))
            f.fail("NTK_by_parts_factor", "and its low/high frequency factors must be positive");
        if (c.ntkHighFreqFactor == c.ntkLowFreqFactor)
            f.fail("NTK_by_parts_high_freq_factor", "must differ from NTK_by_parts_low_freq_factor");
        requireRange(f, "old_context_len", c.oldContextLength, 1, kMaxContext);
    }
}

void readAttention(const JsonFields& f, LorsaConfig& c)
{
    c.nCtx = f.integer("n_ctx");
    requireRange(f, "n_ctx", c.nCtx, 1, kMaxContext);
    c.attnScale = f.number("attn_scale", std::sqrt(static_cast<double>(c.dQkHead)));
    if (!(c.attnScale > 0))
        f.fail("attn_scale", "must be positive");
}

void validateHeads(const JsonFields& f, const LorsaConfig& c, const std::string& ovKey)
{
    requireRange(f, "d_model", c.dModel, 1, kMaxDim);
    requireRange(f, ovKey, c.nOvHeads, 1, kMaxDim * 64);
    requireRange(f, "n_qk_heads", c.nQkHeads, 1, kMaxDim);
    requireRange(f, "d_qk_head", c.dQkHead, 1, kMaxDim);
    if (c.nOvHeads % c.nQkHeads != 0)
        f.fail(ovKey, "(" + std::to_string(c.nOvHeads) + " OV heads) must be divisible by n_qk_heads (" +
                          std::to_string(c.nQkHeads) + ")");
}

LorsaConfig readLanguageModelSaes(const JsonFields& f)
{
    LorsaConfig c;
    c.format = LorsaFormat::LanguageModelSaes;
    c.dModel = f.integer("d_model");
    requireRange(f, "d_model", c.dModel, 1, kMaxDim);
    std::string ovKey = "d_sae";
    if (f.has("d_sae")) {
        c.nOvHeads = f.integer("d_sae");
    } else {
        ovKey = "expansion_factor";
        const double expansion = f.number("expansion_factor");
        if (!(expansion > 0) || expansion * static_cast<double>(c.dModel) > static_cast<double>(kMaxDim * 64))
            f.fail("expansion_factor", "must be positive and give a sane number of OV heads");
        // Python's int() truncates: n_ov = int(d_model * expansion_factor).
        c.nOvHeads = static_cast<int64_t>(static_cast<double>(c.dModel) * expansion);
    }
    c.nQkHeads = f.integer("n_qk_heads");
    c.dQkHead = f.integer("d_qk_head");
    validateHeads(f, c, ovKey);

    c.hookPointIn = f.string("hook_point_in");
    c.hookPointOut = f.string("hook_point_out");
    c.layer = layerOfHook(f, "hook_point_in", c.hookPointIn);
    const int64_t outLayer = layerOfHook(f, "hook_point_out", c.hookPointOut);
    if (outLayer != c.layer)
        f.fail("hook_point_out", "'" + c.hookPointOut + "' names layer " + std::to_string(outLayer) +
                                     " but hook_point_in names layer " + std::to_string(c.layer));

    // Absent keys take upstream's current defaults (SparseDictionaryConfig: act_fn "relu", top_k 50).
    const std::string act = f.string("act_fn", "relu");
    if (act == "topk" || act == "TopK") {
        c.activation = LorsaActivation::TopK;
        c.topK = f.integer("top_k", 50);
        requireRange(f, "top_k", c.topK, 1, c.nOvHeads);
    } else if (act == "jumprelu" || act == "JumpReLU") {
        c.activation = LorsaActivation::JumpRelu;
    } else if (act == "relu" || act == "ReLU") {
        c.activation = LorsaActivation::Relu;
    } else {
        f.fail("act_fn", "\"" + act + "\" is not supported (expected topk, jumprelu or relu)");
    }
    c.useDecoderBias = f.boolean("use_decoder_bias", true);
    c.sparsityIncludeDecoderNorm = f.boolean("sparsity_include_decoder_norm", true);
    c.normActivation = f.string("norm_activation", "dataset-wise");
    if (c.normActivation != "dataset-wise" && c.normActivation != "inference")
        f.fail("norm_activation", "\"" + c.normActivation + "\" is not supported (expected dataset-wise or inference)");

    // Normally the norms travel in the weights file; some exports keep them in the config.
    if (f.has("dataset_average_activation_norm")) {
        const JsonFields norms(f.object("dataset_average_activation_norm"), f.file());
        if (norms.has(c.hookPointIn))
            c.averageNormIn = norms.number(c.hookPointIn);
        if (norms.has(c.hookPointOut))
            c.averageNormOut = norms.number(c.hookPointOut);
    }

    readAttention(f, c);
    readRotary(f, c, "rotary", true);
    c.usePostQkLn = f.boolean("use_post_qk_ln", false);
    c.eps = f.number("eps", 1e-6);
    if (c.usePostQkLn) {
        // Upstream only implements the RMS flavour of the per-head QK norm ("LN" is a TODO there).
        const std::string norm = f.string("normalization_type", "");
        if (norm != "RMS")
            f.fail("normalization_type", "must be \"RMS\" with use_post_qk_ln (found \"" + norm + "\")");
        if (!(c.eps >= 0))
            f.fail("eps", "must not be negative");
    }
    return c;
}

// SparseDictionary.from_local's search: the first of these that exists. A torch.distributed
// checkpoint (.dcp, a folder of shards) needs the training cluster's layout to read; it is
// refused with the one-line conversion PyTorch itself offers.
std::filesystem::path findLanguageModelSaesWeights(const std::filesystem::path& dir)
{
    for (const char* stem : {"sae_weights", "checkpoints/pruned", "checkpoints/final"})
        for (const char* extension : {".safetensors", ".pt", ".dcp"}) {
            const auto candidate = dir / (std::string(stem) + extension);
            std::error_code error;
            if (!std::filesystem::exists(candidate, error))
                continue;
            if (std::string(extension) == ".dcp")
                throw Error(ErrorKind::Unsupported,
                            candidate.string() + ": a torch.distributed.checkpoint (.dcp) is not read here; convert it once with "
                                                 "`python -m torch.distributed.checkpoint.format_utils dcp_to_torch " +
                                candidate.string() + " " + (dir / "sae_weights.pt").string() + "`");
            if (!std::filesystem::is_regular_file(candidate, error))
                throw Error(ErrorKind::InvalidFile, candidate.string() + ": not a file");
            return candidate;
        }
    throw Error(ErrorKind::InvalidFile, (dir / "sae_weights.safetensors").string() +
                                            ": no such file (nor sae_weights.pt, checkpoints/pruned.* or checkpoints/final.*)");
}

LorsaConfig readOriginalRelease(const JsonFields& f)
{
    LorsaConfig c;
    c.format = LorsaFormat::OriginalRelease;
    c.dModel = f.integer("d_model");
    c.nOvHeads = f.integer("n_ov_heads");
    c.nQkHeads = f.integer("n_qk_heads");
    c.dQkHead = f.integer("d_qk_head");
    validateHeads(f, c, "n_ov_heads");
    if (f.integer("d_ov_head") != 1)
        f.fail("d_ov_head", "must be 1 (rank-one OV heads); the release never used another value");
    if (f.integer("virtual_kv_num", 0) != 0)
        f.fail("virtual_kv_num", "must be 0: virtual keys and values are not supported");
    const std::string mode = f.string("mode", "default");
    if (mode != "top_k")
        f.fail("mode", "\"" + mode + "\" is not supported (expected \"top_k\")");
    c.activation = LorsaActivation::TopK;
    c.topK = f.integer("top_k");
    requireRange(f, "top_k", c.topK, 1, c.nOvHeads);
    c.rankByAbsolute = !f.boolean("use_z_relu", false);
    c.sparsityIncludeDecoderNorm = true;
    c.useDecoderBias = true;  // b_O

    c.layer = f.integer("layer");
    requireRange(f, "layer", c.layer, 0, 1 << 16);
    c.hookPointIn = "blocks." + std::to_string(c.layer) + ".ln1.hook_normalized";
    c.hookPointOut = "blocks." + std::to_string(c.layer) + ".hook_attn_out";

    // Training always scaled both sides by sqrt(d)/avg_norm (LowRankSparseAttention.scale_norm).
    const auto& avg = f.object("avg_norm");
    const JsonFields norms(avg, f.file());
    c.normActivation = "dataset-wise";
    c.averageNormIn = norms.number("in");
    c.averageNormOut = norms.number("out");
    if (!(*c.averageNormIn > 0) || !(*c.averageNormOut > 0))
        f.fail("avg_norm", "must hold positive 'in' and 'out' norms");

    readAttention(f, c);
    readRotary(f, c, "rotary", false);
    return c;
}

} // namespace

LorsaConfig loadLorsaConfig(const std::filesystem::path& dir)
{
    const auto file = dir / "config.json";
    if (!std::filesystem::is_regular_file(file))
        throw Error(ErrorKind::InvalidFile, file.string() + ": no such file (not a Lorsa checkpoint folder)");
    const nlohmann::json json = readJsonObject(file);
    const JsonFields f(json, file);

    LorsaConfig c;
    if (f.has("sae_type")) {
        const std::string type = f.string("sae_type");
        if (type != "lorsa")
            throw Error(ErrorKind::Unsupported, file.string() + ": sae_type is \"" + type + "\", not a Lorsa (\"lorsa\")");
        c = readLanguageModelSaes(f);
        c.weightsFile = findLanguageModelSaesWeights(dir);
    } else if (f.has("n_ov_heads") && f.has("d_ov_head")) {
        c = readOriginalRelease(f);
        c.weightsFile = dir / "final.pth";
        if (!std::filesystem::is_regular_file(c.weightsFile))
            throw Error(ErrorKind::InvalidFile, c.weightsFile.string() + ": no such file");
    } else {
        throw Error(ErrorKind::InvalidConfig,
                    file.string() + ": neither a Language-Model-SAEs Lorsa (sae_type) nor an original Lorsa release (n_ov_heads, d_ov_head)");
    }
    c.name = dir.filename().empty() ? dir.parent_path().filename().string() : dir.filename().string();
    return c;
}

} // namespace lorsa
