#include "tests/model/atlas/atlas_fixture.h"

#include "model/atlas/atlas_file.h"
#include "tests/support/cpu_engine_options.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/fixture_models.h"

#include <iomanip>
#include <random>
#include <sstream>

namespace lorsa::test {

std::string fixtureCorpusText(int documents, uint64_t seed)
{
    static const char* words[] = {"the", "cat", "sat", "on", "a", "mat", "and", "then", "ran", "to", "Mary", "John", "gave",
                                  "drink", "store", "went", "when", "it", "was", "over", ",", "."};
    std::mt19937_64 random(seed);
    std::string text;
    for (int d = 0; d < documents; ++d) {
        const auto length = 3 + random() % 40;
        for (uint64_t w = 0; w < length; ++w) {
            text += words[random() % std::size(words)];
            text += (w % 9 == 8) ? "\n" : " ";
        }
        text += "\n\n";
    }
    return text;
}

AtlasFixture::AtlasFixture()
{
    model = dir / "gpt2";
    lorsa = dir / "lorsa";
    otherLorsa = dir / "other-lorsa";
    corpus = dir / "corpus.txt";
    Gpt2FixtureOptions options;
    writeTinyGpt2(model, options);
    LorsaFixtureOptions sae;
    sae.dModel = options.dModel;
    sae.layer = 1;
    sae.nQkHeads = 2;
    sae.nOvHeads = 16;
    sae.topK = 3;
    writeTinyLorsa(lorsa, sae);
    sae.seed = 7;
    writeTinyLorsa(otherLorsa, sae);
    writeFile(corpus, fixtureCorpusText(12, 3));
}

EngineOptions AtlasFixture::engineOptions(const std::filesystem::path& lorsaDir) const
{
    return cpuEngineOptions(model, lorsaDir);
}

IndexOptions AtlasFixture::indexOptions(const std::filesystem::path& out) const
{
    IndexOptions options;
    options.out = out;
    options.modelDir = model;
    options.lorsaDir = lorsa;
    options.corpus.files = {corpus};
    options.corpus.context = 16;
    options.top = 5;
    options.batch = 4;
    return options;
}

std::string dumpAtlas(const std::filesystem::path& path, bool withSums)
{
    AtlasFile atlas(path, AtlasFile::Access::ReadOnly);
    std::ostringstream out;
    out << std::setprecision(17);
    const std::string stats = withSums ? "head, active_count, activation_sum, max, hex(histogram), hex(top_activation), hex(top_document), "
                                         "hex(top_start), hex(top_position)"
                                       : "head, active_count, max, hex(histogram), hex(top_activation), hex(top_document), "
                                         "hex(top_start), hex(top_position)";
    for (const auto& query : {"SELECT " + stats + " FROM head_stats ORDER BY head", std::string("SELECT * FROM heads ORDER BY head"),
                              std::string("SELECT head, rank, document, start, position, activation, peak_token, peak_text, "
                                          "hex(activations), hex(z_pattern) FROM top_contexts ORDER BY head, rank"),
                              std::string("SELECT document, start, hex(tokens), text, token_texts FROM contexts ORDER BY document, start"),
                              std::string("SELECT * FROM annotations ORDER BY head")}) {
        SqliteStatement select(atlas.db(), query);
        out << query << "\n";
        while (select.step()) {
            for (int c = 0; c < 10; ++c)
                out << select.text(c) << "|";
            out << "\n";
        }
    }
    return out.str();
}

} // namespace lorsa::test
