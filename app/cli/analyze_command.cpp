// lorsa analyze: run a prompt and dump activations as safetensors, or print a JSON summary.

#include "app/cli/commands.h"

#include "model/core/error.h"
#include "model/tools/activation_dump.h"
#include "model/io/tensor_source.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace lorsa::cli {
namespace {

using Json = nlohmann::ordered_json;

struct AnalyzeFlags {
    EngineFlags engine;
    std::string text;
    std::string textFile;
    std::string dump;
    std::string hooks;
    std::string zHeads;
    bool noBos = false;
    bool json = false;
    int topHeads = 8;
};

Json topHeadsPerToken(const at::Tensor& acts, int limit) // acts [T,n]
{
    Json perToken = Json::array();
    const auto k = std::min<int64_t>(limit, acts.size(1));
    const auto top = acts.abs().topk(k, -1);
    const auto indices = std::get<1>(top).to(at::kCPU);
    const auto values = acts.gather(-1, std::get<1>(top)).to(at::kCPU, at::kFloat);
    for (int64_t t = 0; t < acts.size(0); ++t) {
        Json heads = Json::array();
        for (int64_t j = 0; j < k; ++j) {
            const float value = values[t][j].item<float>();
            if (value != 0.0f)
                heads.push_back({{"head", indices[t][j].item<int64_t>()}, {"activation", value}});
        }
        perToken.push_back(heads);
    }
    return perToken;
}

Json summary(const Engine& engine, const PromptTokens& prompt, const AnalyzeFlags& flags)
{
    Json json;
    json["model"] = engine.model().config().name;
    json["device"] = engine.device().str();
    Json tokens = Json::array();
    for (size_t i = 0; i < prompt.ids.size(); ++i)
        tokens.push_back({{"index", i}, {"id", prompt.ids[i]}, {"text", engine.tokenizer().tokenText(prompt.ids[i])},
                          {"bytes", {prompt.byteSpans[i].first, prompt.byteSpans[i].second}}});
    json["tokens"] = tokens;
    if (prompt.truncatedFrom > 0)
        json["truncated_from"] = prompt.truncatedFrom;
    if (!engine.lorsa())
        return json;
    RunRequest request;
    request.lorsa = true;
    request.fidelity = true;
    const auto result = engine.run(at::tensor(prompt.ids, at::kLong).unsqueeze(0), request);
    const auto& evidence = engine.inputMode();
    json["lorsa"] = {{"name", engine.lorsa()->config().name},
                     {"path", engine.lorsaDir().string()},
                     {"layer", engine.lorsa()->config().layer},
                     {"input", inputModeName(evidence.chosen)},
                     {"input_how", evidence.how},
                     {"input_evidence", evidence.summary()}};
    json["top_heads"] = topHeadsPerToken(result.lorsa->featureActs.select(0, 0), flags.topHeads);
    const auto& fidelity = *result.fidelity;
    json["fidelity"] = {{"fvu", fidelity.fvu},
                        {"mean_l0", fidelity.meanL0},
                        {"l0_per_token", fidelity.l0PerToken},
                        {"clean_loss", fidelity.cleanLoss},
                        {"spliced_loss", fidelity.splicedLoss}};
    json["timing_ms"] = {{"model", result.modelMs}, {"lorsa", result.lorsaMs}};
    return json;
}

} // namespace

void addAnalyzeCommand(CLI::App& app, Streams streams)
{
    auto* command = app.add_subcommand("analyze", "Run a prompt; dump activations (safetensors) or print a JSON summary");
    auto flags = std::make_shared<AnalyzeFlags>();
    flags->engine.addTo(*command);
    command->add_option("--text", flags->text, "the prompt");
    command->add_option("--text-file", flags->textFile, "read the prompt from a UTF-8 file");
    command->add_option("--dump", flags->dump, "write activations to this .safetensors file");
    command->add_option("--hooks", flags->hooks, "comma-separated tensor names to dump (default: the standard set)");
    command->add_option("--z-heads", flags->zHeads, "comma-separated Lorsa heads whose z-patterns to dump");
    command->add_flag("--no-bos", flags->noBos, "do not prepend the BOS token");
    command->add_flag("--json", flags->json, "print a human-readable JSON summary instead of dumping");
    command->callback([flags, streams] {
        if (flags->dump.empty() && !flags->json)
            throw Error(ErrorKind::InvalidInput, "nothing to do: give --dump OUT.safetensors or --json");
        const auto text = promptFrom(flags->text, flags->textFile);
        const Engine engine(flags->engine.toOptions());
        const auto prompt = engine.encodePrompt(text, !flags->noBos);
        if (prompt.truncatedFrom > 0)
            streams.err << "warning: " << truncationNotice(prompt.truncatedFrom, static_cast<int64_t>(prompt.ids.size())) << "\n";
        if (flags->json) {
            streams.out << summary(engine, prompt, *flags).dump(2) << "\n";
            return;
        }
        DumpRequest request;
        request.names = parseNameList(flags->hooks);
        request.zHeads = parseIndexList(flags->zHeads, "--z-heads");
        const auto tensors = computeDump(engine, prompt, request);
        writeSafetensors(flags->dump, tensors, {{"model", engine.model().config().name},
                                                {"lorsa", engine.lorsa() ? engine.lorsa()->config().name : ""},
                                                {"lorsa_input", engine.lorsa() ? inputModeName(engine.inputMode().chosen) : ""}});
    });
}

} // namespace lorsa::cli
