// lorsa train-tokenizer: a byte-level BPE tokenizer.json learnt from a corpus.

#include "app/cli/commands.h"

#include "model/tokenizer/tokenizer.h"
#include "model/training/bpe_trainer.h"
#include "model/training/corpus_reader.h"

#include <chrono>

namespace lorsa::cli {

void addTrainTokenizerCommand(CLI::App& app, Streams streams)
{
    struct Flags {
        std::vector<std::string> corpus;
        std::string out;
        BpeTrainerOptions options;
    };
    auto* command = app.add_subcommand("train-tokenizer", "Learn a byte-level BPE tokenizer.json from UTF-8 text files");
    auto flags = std::make_shared<Flags>();
    command->add_option("--corpus", flags->corpus, "UTF-8 text files (documents separated by blank lines)")->required();
    command->add_option("--vocab-size", flags->options.vocabSize, "vocabulary size including 256 bytes and <|endoftext|>")
        ->capture_default_str();
    command->add_option("--min-frequency", flags->options.minFrequency, "never merge a pair seen fewer times")->capture_default_str();
    command->add_option("--out", flags->out, "the tokenizer.json to write")->required();
    command->callback([flags, streams] {
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::filesystem::path> files(flags->corpus.begin(), flags->corpus.end());
        const auto vocabulary = trainByteLevelBpe(readCorpusDocuments(files), flags->options);
        writeBpeTokenizer(flags->out, vocabulary);
        // Reload through the same path as any Hugging Face tokenizer: what we wrote must load.
        const auto tokenizer = Tokenizer::fromFile(flags->out);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        streams.out << "wrote " << flags->out << ": " << tokenizer.vocabSize() << " tokens (" << vocabulary.merges.size()
                    << " merges) in " << seconds << " s\n";
    });
}

} // namespace lorsa::cli
