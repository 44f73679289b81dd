// lorsa make-random: random-weight model and Lorsa folders of real shapes, for benchmarks.

#include "app/cli/commands.h"

#include "model/tools/random_checkpoint.h"

namespace lorsa::cli {

void addMakeRandomCommand(CLI::App& app, Streams streams)
{
    struct Flags {
        std::string shape = "pythia-160m";
        std::string modelOut;
        std::string lorsaOut;
        RandomLorsaSpec lorsa;
        uint64_t seed = 0;
        int64_t layers = 0;
    };
    auto* command = app.add_subcommand("make-random", "Write a random-weight model (and Lorsa) of a real model's shape");
    auto flags = std::make_shared<Flags>();
    command->add_option("--shape", flags->shape, "pythia-70m | pythia-160m | llama-3.1-8b | llama-3.1-8b-1layer | qwen3-1.7b")->capture_default_str();
    command->add_option("--layers", flags->layers, "write only this many layers of the shape's width (quick runs)");
    command->add_option("--model-out", flags->modelOut, "folder for the model (config.json, model.safetensors, tokenizer.json)");
    command->add_option("--lorsa-out", flags->lorsaOut, "folder for a Lorsa on that model (Language-Model-SAEs format)");
    command->add_option("--layer", flags->lorsa.layer, "the Lorsa's layer")->capture_default_str();
    command->add_option("--expansion", flags->lorsa.expansionFactor, "OV heads = d_model x expansion")->capture_default_str();
    command->add_option("--n-qk-heads", flags->lorsa.nQkHeads, "QK heads (0 = n_heads x expansion)")->capture_default_str();
    command->add_option("--d-qk-head", flags->lorsa.dQkHead, "QK head width")->capture_default_str();
    command->add_option("--top-k", flags->lorsa.topK, "active heads per token")->capture_default_str();
    command->add_flag("--post-qk-norm", flags->lorsa.postQkNorm, "RMS-normalise each Lorsa QK head (use_post_qk_ln, as Llama-Scope-2)");
    command->add_option("--seed", flags->seed, "random seed")->capture_default_str();
    command->callback([flags, streams] {
        if (flags->modelOut.empty())
            throw Error(ErrorKind::InvalidInput, "give --model-out DIR (and optionally --lorsa-out DIR)");
        auto spec = randomModelPreset(flags->shape);
        spec.seed = flags->seed;
        if (flags->layers < 0)
            throw Error(ErrorKind::InvalidInput, "--layers must be positive");
        if (flags->layers > 0)
            spec.nLayers = flags->layers;
        writeRandomModel(flags->modelOut, spec);
        streams.out << "wrote " << flags->shape << "-shaped random model to " << flags->modelOut << "\n";
        if (!flags->lorsaOut.empty()) {
            auto lorsa = flags->lorsa;
            lorsa.seed = flags->seed + 1;
            writeRandomLorsa(flags->lorsaOut, flags->modelOut, lorsa);
            streams.out << "wrote random Lorsa to " << flags->lorsaOut << "\n";
        }
    });
}

} // namespace lorsa::cli
