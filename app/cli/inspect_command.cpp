// lorsa inspect DIR [--model DIR] [--json]: what a model folder, a Lorsa folder or a Lorsa set holds.

#include "app/cli/commands.h"

#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "model/lorsa/lorsa_config.h"
#include "model/lorsa/lorsa_set.h"
#include "model/transformer/model_config.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

namespace lorsa::cli {
namespace {

using Json = nlohmann::ordered_json;

struct TensorSummary {
    int64_t parameters = 0;
    std::map<std::string, int64_t> tensorsByDtype;
};

TensorSummary summarise(const TensorSource& source)
{
    TensorSummary summary;
    for (const auto& name : source.names()) {
        const auto info = source.info(name);
        int64_t count = 1;
        for (const auto size : info.shape)
            count *= size;
        summary.parameters += count;
        ++summary.tensorsByDtype[info.dtype];
    }
    return summary;
}

std::unique_ptr<TensorSource> openModelWeights(const std::filesystem::path& dir)
{
    if (std::filesystem::exists(dir / "model.safetensors.index.json"))
        return openShardedSafetensors(dir / "model.safetensors.index.json");
    return openSafetensors(dir / "model.safetensors");
}

std::unique_ptr<TensorSource> openWeights(const std::filesystem::path& file)
{
    return file.extension() == ".safetensors" ? openSafetensors(file) : openTorchZip(file);
}

bool holdsLorsaConfig(const std::filesystem::path& dir)
{
    const auto configFile = dir / "config.json";
    std::ifstream in(configFile);
    if (!in)
        throw Error(ErrorKind::InvalidFile, configFile.string() + ": cannot read (is '" + dir.string() + "' a model or Lorsa folder?)");
    const auto config = Json::parse(in, nullptr, false);
    if (config.is_discarded() || !config.is_object())
        throw Error(ErrorKind::InvalidFile, configFile.string() + ": not a JSON object");
    if (config.contains("sae_type"))
        return true;
    return config.contains("n_ov_heads") && config.contains("avg_norm");
}

std::string architectureName(Architecture architecture)
{
    switch (architecture) {
    case Architecture::Gpt2: return "gpt2";
    case Architecture::GptNeox: return "gpt_neox";
    case Architecture::Llama: return "llama";
    }
    return "?";
}

std::string activationName(LorsaActivation activation)
{
    switch (activation) {
    case LorsaActivation::TopK: return "topk";
    case LorsaActivation::JumpRelu: return "jumprelu";
    case LorsaActivation::Relu: return "relu";
    }
    return "?";
}

Json describeModel(const std::filesystem::path& dir)
{
    const auto config = loadModelConfig(dir);
    const auto weights = openModelWeights(dir);
    const auto summary = summarise(*weights);
    Json json;
    json["kind"] = "model";
    json["path"] = dir.string();
    json["model_type"] = config.modelType;
    json["architecture"] = architectureName(config.architecture);
    json["d_model"] = config.dModel;
    json["n_layers"] = config.nLayers;
    json["n_heads"] = config.nHeads;
    json["n_kv_heads"] = config.nKvHeads;
    json["d_head"] = config.dHead;
    json["d_mlp"] = config.dMlp;
    json["vocab_size"] = config.vocabSize;
    json["n_ctx"] = config.nCtx;
    json["norm"] = config.norm == NormKind::LayerNorm ? "LayerNorm" : "RMSNorm";
    json["rotary_dim"] = config.rotaryDim;
    json["parallel_residual"] = config.parallelResidual;
    json["qk_norm"] = config.qkNorm;
    json["tied_embeddings"] = config.tiedEmbeddings;
    json["bos_token_id"] = config.bosTokenId ? Json(*config.bosTokenId) : Json(nullptr);
    json["parameters"] = summary.parameters;
    json["tensors_by_dtype"] = summary.tensorsByDtype;
    json["hook_points"] = {"hook_embed", "blocks.{0.." + std::to_string(config.nLayers - 1) + "}.{hook_resid_pre, ln1.hook_normalized, attn.hook_q/k/v, attn.hook_pattern, attn.hook_z, attn.hook_result, hook_attn_out, " +
                                            (config.parallelResidual ? "" : "hook_resid_mid, ") + "hook_mlp_out, hook_resid_post}",
                           "ln_final.hook_normalized", "logits"};
    return json;
}

Json describeLorsa(const std::filesystem::path& dir)
{
    const auto config = loadLorsaConfig(dir);
    const auto weights = openWeights(config.weightsFile);
    const auto summary = summarise(*weights);
    Json json;
    json["kind"] = "lorsa";
    json["path"] = dir.string();
    json["format"] = config.format == LorsaFormat::LanguageModelSaes ? "Language-Model-SAEs" : "original release (final.pth)";
    json["weights"] = config.weightsFile.filename().string();
    json["d_model"] = config.dModel;
    json["layer"] = config.layer;
    json["hook_point_in"] = config.hookPointIn;
    json["hook_point_out"] = config.hookPointOut;
    json["n_ov_heads"] = config.nOvHeads;
    json["n_qk_heads"] = config.nQkHeads;
    json["d_qk_head"] = config.dQkHead;
    json["activation"] = activationName(config.activation);
    json["top_k"] = config.topK;
    json["n_ctx"] = config.nCtx;
    json["rotary"] = config.rotary ? Json{{"dim", config.rotaryDim}, {"base", config.rotaryBase}, {"adjacent_pairs", config.rotaryAdjacentPairs}} : Json(nullptr);
    json["norm_activation"] = config.normActivation;
    json["parameters"] = summary.parameters;
    json["tensors_by_dtype"] = summary.tensorsByDtype;
    return json;
}

// A folder tree of Lorsas: what each holds, from the configs alone (no weights are read).
Json describeLorsaSetFolder(const std::filesystem::path& dir)
{
    const auto entries = listLorsaSet(dir);
    if (entries.empty())
        throw Error(ErrorKind::InvalidInput, dir.string() + ": no config.json, and no Lorsa folder below it (is it a model, a Lorsa or a Lorsa set?)");
    Json json;
    json["kind"] = "lorsa_set";
    json["path"] = dir.string();
    json["summary"] = describeLorsaSet(entries);
    Json lorsas = Json::array();
    for (const auto& entry : entries) {
        Json item;
        item["layer"] = entry.layer;
        item["variant"] = entry.variant;
        item["n_ov_heads"] = entry.nOvHeads;
        item["top_k"] = entry.topK;
        item["path"] = std::filesystem::relative(entry.dir, dir).string();
        if (!entry.problem.empty())
            item["problem"] = entry.problem;
        lorsas.push_back(item);
    }
    json["lorsas"] = lorsas;
    return json;
}

void printText(std::ostream& out, const Json& json, const std::string& indent = "")
{
    for (const auto& [key, value] : json.items()) {
        if (value.is_object()) {
            out << indent << key << ":\n";
            printText(out, value, indent + "  ");
        } else if (value.is_array() && !value.empty() && value.front().is_object()) {
            out << indent << key << ":\n";
            for (const auto& item : value) {
                std::string line;
                for (const auto& [field, entry] : item.items())
                    line += (line.empty() ? "" : "  ") + field + " " + (entry.is_string() ? entry.get<std::string>() : entry.dump());
                out << indent << "  " << line << "\n";
            }
        } else if (value.is_string()) {
            out << indent << key << ": " << value.get<std::string>() << "\n";
        } else {
            out << indent << key << ": " << value.dump() << "\n";
        }
    }
}

} // namespace

void addInspectCommand(CLI::App& app, Streams streams)
{
    auto* command = app.add_subcommand("inspect", "Summarise a model folder, a Lorsa folder or a Lorsa set");
    auto folder = std::make_shared<std::string>();
    auto flags = std::make_shared<EngineFlags>();
    auto json = std::make_shared<bool>(false);
    command->add_option("DIR", *folder, "model folder, Lorsa folder or Lorsa set (a folder tree of Lorsas)")->required();
    command->add_option("--model", flags->model, "with a Lorsa folder: load this model and report which input the Lorsa reads");
    command->add_option("--device", flags->device, "auto | cpu | cuda")->capture_default_str();
    command->add_option("--dtype", flags->dtype, kDtypeHelp)->capture_default_str();
    command->add_option("--lorsa-input", flags->lorsaInput, "override: affine | normalized");
    command->add_flag("--json", *json, "print JSON");
    command->callback([=] {
        const std::filesystem::path dir(*folder);
        if (!std::filesystem::is_directory(dir))
            throw Error(ErrorKind::InvalidInput, *folder + ": not a folder");
        const bool hasConfig = std::filesystem::exists(dir / "config.json");
        auto summary = !hasConfig ? describeLorsaSetFolder(dir) : holdsLorsaConfig(dir) ? describeLorsa(dir) : describeModel(dir);
        if (summary["kind"] == "lorsa" && !flags->model.empty()) {
            auto options = flags->toOptions();
            options.lorsaDir = dir;
            const Engine engine(options);
            const auto& evidence = engine.inputMode();
            Json input;
            input["chosen"] = inputModeName(evidence.chosen);
            input["how"] = evidence.how;
            input["fvu_normalized"] = evidence.fvuNormalized ? Json(*evidence.fvuNormalized) : Json(nullptr);
            input["fvu_affine"] = evidence.fvuAffine ? Json(*evidence.fvuAffine) : Json(nullptr);
            input["calibration_tokens"] = evidence.calibrationTokens;
            summary["input"] = input;
        }
        if (*json)
            streams.out << summary.dump(2) << "\n";
        else
            printText(streams.out, summary);
    });
}

} // namespace lorsa::cli
