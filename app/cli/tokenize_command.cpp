// lorsa tokenize: token ids of a text as the engine feeds them to the model.

#include "app/cli/commands.h"

#include "model/core/error.h"
#include "model/engine/prompt_tokens.h"
#include "model/transformer/model_config.h"

#include <nlohmann/json.hpp>

namespace lorsa::cli {

void addTokenizeCommand(CLI::App& app, Streams streams)
{
    struct Flags {
        std::string model;
        std::string tokenizer;
        std::string text;
        std::string textFile;
        bool noBos = false;
        bool json = false;
    };
    auto* command = app.add_subcommand("tokenize", "Print the token ids of a text");
    auto flags = std::make_shared<Flags>();
    auto* modelOption = command->add_option("--model", flags->model, "model folder (its tokenizer.json and BOS convention)");
    auto* tokenizerOption = command->add_option("--tokenizer", flags->tokenizer, "a tokenizer.json file");
    modelOption->excludes(tokenizerOption);
    command->add_option("--text", flags->text, "the text");
    command->add_option("--text-file", flags->textFile, "read the text from a UTF-8 file");
    command->add_flag("--no-bos", flags->noBos, "do not prepend the BOS token");
    command->add_flag("--json", flags->json, "print ids with each token's text and byte span");
    command->callback([flags, streams] {
        if (flags->model.empty() && flags->tokenizer.empty())
            throw Error(ErrorKind::InvalidInput, "give --model DIR or --tokenizer FILE");
        const auto text = promptFrom(flags->text, flags->textFile);
        std::optional<int64_t> configBos;
        std::filesystem::path tokenizerFile = flags->tokenizer;
        if (!flags->model.empty()) {
            configBos = loadModelConfig(flags->model).bosTokenId;
            tokenizerFile = std::filesystem::path(flags->model) / "tokenizer.json";
        }
        const auto tokenizer = Tokenizer::fromFile(tokenizerFile);
        const auto bos = flags->noBos ? std::nullopt : bosTokenFor(tokenizer, configBos);
        const auto prompt = encodePromptText(tokenizer, text, bos);
        if (!flags->json) {
            for (size_t i = 0; i < prompt.ids.size(); ++i)
                streams.out << (i ? " " : "") << prompt.ids[i];
            streams.out << "\n";
            return;
        }
        nlohmann::ordered_json tokens = nlohmann::ordered_json::array();
        for (size_t i = 0; i < prompt.ids.size(); ++i)
            tokens.push_back({{"id", prompt.ids[i]},
                              {"text", tokenizer.tokenText(prompt.ids[i])},
                              {"bytes", {prompt.byteSpans[i].first, prompt.byteSpans[i].second}}});
        streams.out << nlohmann::ordered_json{{"ids", prompt.ids}, {"tokens", tokens}}.dump(2) << "\n";
    });
}

} // namespace lorsa::cli
