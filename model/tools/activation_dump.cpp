#include "model/tools/activation_dump.h"

#include "model/core/error.h"

#include <algorithm>
#include <set>

namespace lorsa {
namespace {

const std::vector<std::string> kLayerHooks = {
    "hook_resid_pre",  "ln1.hook_normalized", "attn.hook_q",  "attn.hook_k",       "attn.hook_v",
    "attn.hook_pattern", "attn.hook_z",       "attn.hook_result", "hook_attn_out", "hook_resid_mid",
    "ln2.hook_normalized", "hook_mlp_out",    "hook_resid_post"};

const std::vector<std::string> kLorsaOutputs = {"lorsa.hook_attn_pattern", "lorsa.hook_hidden_pre",
                                                "lorsa.hook_feature_acts", "lorsa.hook_reconstructed"};

bool isLorsaName(const std::string& name)
{
    return name.rfind("lorsa.", 0) == 0;
}

std::string joinPreview(const std::vector<std::string>& names)
{
    std::string text;
    for (size_t i = 0; i < names.size() && i < 8; ++i)
        text += (i ? ", " : "") + names[i];
    return names.size() > 8 ? text + ", ..." : text;
}

at::Tensor forDump(const at::Tensor& tensor)
{
    auto single = tensor.select(0, 0);
    const auto type = single.is_floating_point() ? at::kFloat : at::kLong;
    return single.to(at::kCPU, type).contiguous();
}

} // namespace

std::vector<std::string> availableDumpNames(const Engine& engine)
{
    const auto& config = engine.model().config();
    std::vector<std::string> names = {"tokens", "hook_embed"};
    if (config.architecture == Architecture::Gpt2)
        names.push_back("hook_pos_embed");
    for (int64_t layer = 0; layer < config.nLayers; ++layer)
        for (const auto& hook : kLayerHooks) {
            if (hook == "hook_resid_mid" && config.parallelResidual)
                continue;
            names.push_back(blockHook(layer, hook));
        }
    names.push_back("ln_final.hook_normalized");
    names.push_back("logits");
    if (engine.lorsa()) {
        names.insert(names.end(), kLorsaOutputs.begin(), kLorsaOutputs.end());
        names.push_back("lorsa.z_pattern");
        names.push_back("lorsa.z_pattern_heads");
    }
    return names;
}

std::vector<std::string> defaultDumpNames(const Engine& engine, bool withZPatterns)
{
    std::vector<std::string> names = {"tokens"};
    const auto layers = engine.model().config().nLayers;
    for (const auto* hook : {"hook_resid_pre", "ln1.hook_normalized", "attn.hook_pattern", "attn.hook_z", "hook_attn_out",
                             "hook_resid_post"})
        for (int64_t layer = 0; layer < layers; ++layer)
            names.push_back(blockHook(layer, hook));
    names.push_back("logits");
    if (engine.lorsa()) {
        names.insert(names.end(), kLorsaOutputs.begin(), kLorsaOutputs.end());
        if (withZPatterns) {
            names.push_back("lorsa.z_pattern");
            names.push_back("lorsa.z_pattern_heads");
        }
    }
    return names;
}

std::vector<std::pair<std::string, at::Tensor>> computeDump(const Engine& engine, const PromptTokens& prompt,
                                                            const DumpRequest& request)
{
    const auto names = request.names.empty() ? defaultDumpNames(engine, !request.zHeads.empty()) : request.names;
    const auto available = availableDumpNames(engine);
    const std::set<std::string> known(available.begin(), available.end());
    RunRequest run;
    for (const auto& name : names) {
        if (!known.count(name)) {
            if (isLorsaName(name) && !engine.lorsa())
                throw Error(ErrorKind::InvalidInput, "'" + name + "' needs a Lorsa: pass --lorsa DIR");
            throw Error(ErrorKind::InvalidInput, "unknown hook '" + name + "' (valid names look like " + joinPreview(available) + ")");
        }
        if (name == "lorsa.hook_attn_pattern")
            run.lorsaPatterns = true;
        if (isLorsaName(name))
            run.lorsa = true;
        else if (name != "tokens")
            run.modelHooks.names.insert(name);
    }
    const bool wantsZ = std::find(names.begin(), names.end(), "lorsa.z_pattern") != names.end();
    if (wantsZ && request.zHeads.empty())
        throw Error(ErrorKind::InvalidInput, "lorsa.z_pattern needs the heads to decompose: pass --z-heads I,J,...");
    if (wantsZ)
        run.zHeads = request.zHeads;

    const auto tokens = at::tensor(prompt.ids, at::kLong).unsqueeze(0);
    auto result = engine.run(tokens, run);
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& name : names) {
        if (name == "tokens")
            tensors.emplace_back(name, tokens.select(0, 0).clone());
        else if (name == "lorsa.hook_attn_pattern")
            tensors.emplace_back(name, forDump(result.lorsa->pattern));
        else if (name == "lorsa.hook_hidden_pre")
            tensors.emplace_back(name, forDump(result.lorsa->hiddenPre));
        else if (name == "lorsa.hook_feature_acts")
            tensors.emplace_back(name, forDump(result.lorsa->featureActs));
        else if (name == "lorsa.hook_reconstructed")
            tensors.emplace_back(name, forDump(result.lorsa->reconstructed));
        else if (name == "lorsa.z_pattern")
            tensors.emplace_back(name, forDump(result.zPatterns));
        else if (name == "lorsa.z_pattern_heads")
            tensors.emplace_back(name, at::tensor(request.zHeads, at::kLong));
        else
            tensors.emplace_back(name, forDump(result.cache.at(name)));
    }
    return tensors;
}

} // namespace lorsa
