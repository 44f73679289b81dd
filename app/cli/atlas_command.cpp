// lorsa atlas info|top|head|search|labels|merge: reading, annotating and merging head atlases.

#include "app/cli/atlas_json.h"
#include "app/cli/commands.h"

#include "model/atlas/atlas_labels.h"
#include "model/atlas/atlas_merge.h"

#include <cstdio>

namespace lorsa::cli {
namespace {

std::string number(const char* format, double value)
{
    char text[64];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

/// A token's text for one terminal line: control characters escaped.
std::string printable(const std::string& text)
{
    std::string out;
    for (const char c : text)
        out += c == '\n' ? std::string("\\n") : c == '\t' ? std::string("\\t") : std::string(1, c);
    return out;
}

void printSummary(const AtlasSummary& s, std::ostream& out)
{
    const auto& id = s.identity;
    out << "atlas schema " << s.schemaVersion << ", " << s.status << "\n";
    out << "model  " << id.modelName << " (folder " << id.modelFolder << ", config " << id.modelConfigHash << ")\n";
    out << "Lorsa  " << id.lorsaName << " (folder " << id.lorsaFolder << ", layer " << id.layer << ", " << id.nOvHeads
        << " heads on " << id.nQkHeads << " QK heads, " << id.lorsaConfigHash << ")\n";
    out << "corpus ";
    for (const auto& file : s.corpusFiles)
        out << file << " ";
    out << "(" << s.documents << " documents" << (s.shard.empty() ? "" : ", shard " + s.shard) << ")\n";
    out << "indexed " << s.tokensIndexed << " tokens in " << s.contexts << " contexts of " << s.context << "; top " << s.top
        << " per head; " << s.deadHeads << " dead heads (never active)\n";
}

void printHead(const AtlasHead& h, std::ostream& out)
{
    out << "head " << h.head << " (QK head " << h.qkHead << ")" << (h.bookmark ? " [bookmarked]" : "") << "\n";
    if (!h.label.empty() || !h.note.empty())
        out << "label: " << h.label << (h.note.empty() ? "" : "  note: " + h.note) << "\n";
    out << "active " << h.activeCount << " times (frequency " << number("%.3g", h.frequency) << "), max " << number("%.4g", h.max)
        << ", mean when active " << number("%.4g", h.meanActive) << "\n";
    out << "scores: induction " << number("%.3f", h.scores.induction) << ", previous-token " << number("%.3f", h.scores.previousToken)
        << ", duplicate-token " << number("%.3f", h.scores.duplicateToken) << ", first-token " << number("%.3f", h.scores.firstToken) << "\n";
    if (h.similarMhsaHead >= 0)
        out << "most similar MHSA head " << h.similarMhsaHead << " (JS distance " << number("%.3f", h.similarMhsaDistance)
            << " on its top context)\n";
    for (const auto& [title, list] : {std::pair{"promotes  ", &h.promoted}, std::pair{"suppresses", &h.suppressed}}) {
        out << title << ":";
        for (const auto& t : *list)
            out << " '" << printable(t.text) << "' " << number("%+.2f", t.score);
        out << "\n";
    }
    out << "histogram of |activation| (count per bin [low, high)):\n";
    for (size_t i = 0; i < h.histogramCounts.size(); ++i)
        if (h.histogramCounts[i] > 0)
            out << "  [" << number("%.3g", h.histogramEdges[i]) << ", " << number("%.3g", h.histogramEdges[i + 1]) << ")  "
                << h.histogramCounts[i] << "\n";
}

} // namespace

void addAtlasCommand(CLI::App& app, Streams streams)
{
    auto* atlas = app.add_subcommand("atlas", "Read, search, annotate and merge head atlases made by lorsa index");
    atlas->require_subcommand(1);
    struct Flags {
        std::string file;
        int64_t head = -1;
        bool json = false;
        std::string token, label, exportFile, importFile, out;
        std::vector<std::string> shards;
    };
    auto flags = std::make_shared<Flags>();

    auto* info = atlas->add_subcommand("info", "What an atlas was built from, tokens indexed, heads, dead heads");
    info->add_option("ATLAS", flags->file)->required();
    info->add_flag("--json", flags->json, "print one JSON object");
    info->callback([flags, streams] {
        AtlasFile file(flags->file, AtlasFile::Access::ReadOnly);
        const auto summary = readAtlasSummary(file);
        if (flags->json)
            streams.out << summaryJson(summary).dump(2) << "\n";
        else
            printSummary(summary, streams.out);
    });

    auto* top = atlas->add_subcommand("top", "A head's top contexts, best first");
    top->add_option("ATLAS", flags->file)->required();
    top->add_option("--head", flags->head, "Lorsa (OV) head")->required();
    top->add_flag("--json", flags->json,
                  "print a JSON list of {rank, document, start, position (BOS = 0), activation, tokens (BOS first), text, "
                  "z_pattern (keys 0..position), activations, token_texts}");
    top->callback([flags, streams] {
        AtlasFile file(flags->file, AtlasFile::Access::ReadOnly);
        const auto contexts = readTopContexts(file, flags->head);
        if (flags->json) {
            auto list = nlohmann::ordered_json::array();
            for (const auto& c : contexts)
                list.push_back(contextJson(c));
            streams.out << list.dump(2) << "\n";
            return;
        }
        for (const auto& c : contexts) {
            streams.out << "#" << c.rank << "  " << number("%.4g", c.activation) << "  document " << c.document << " start " << c.start
                        << " position " << c.position << ":  ";
            for (size_t i = 1; i < c.tokenTexts.size(); ++i) {
                const auto text = printable(c.tokenTexts[i]);
                streams.out << (static_cast<int64_t>(i) == c.position ? "[[" + text + "]]" : text);
            }
            streams.out << "\n";
        }
    });

    auto* head = atlas->add_subcommand("head", "A head's statistics, QK head, similar MHSA head, scores, tokens and label");
    head->add_option("ATLAS", flags->file)->required();
    head->add_option("--head", flags->head, "Lorsa (OV) head")->required();
    head->add_flag("--json", flags->json, "print one JSON object");
    head->callback([flags, streams] {
        AtlasFile file(flags->file, AtlasFile::Access::ReadOnly);
        const auto h = readAtlasHead(file, flags->head);
        if (flags->json)
            streams.out << headJson(h).dump(2) << "\n";
        else
            printHead(h, streams.out);
    });

    auto* search = atlas->add_subcommand("search", "Heads whose top contexts peak on a token containing TEXT, or whose label/note contains TEXT");
    search->add_option("ATLAS", flags->file)->required();
    auto* byToken = search->add_option("--token", flags->token, "text the peak token contains (heads ranked by activation)");
    auto* byLabel = search->add_option("--label", flags->label, "text the label or note contains");
    byToken->excludes(byLabel);
    search->add_flag("--json", flags->json, "print a JSON list of {head, activation, token | label, note}");
    search->callback([flags, streams] {
        if (flags->token.empty() == flags->label.empty())
            throw Error(ErrorKind::InvalidInput, "give --token TEXT or --label TEXT");
        AtlasFile file(flags->file, AtlasFile::Access::ReadOnly);
        const bool tokens = !flags->token.empty();
        const auto hits = tokens ? searchByToken(file, flags->token) : searchByLabel(file, flags->label);
        if (flags->json) {
            auto list = nlohmann::ordered_json::array();
            for (const auto& hit : hits) {
                nlohmann::ordered_json item = {{"head", hit.head}};
                if (tokens)
                    item["activation"] = hit.activation, item["token"] = hit.matched;
                item["label"] = hit.label;
                item["note"] = hit.note;
                list.push_back(item);
            }
            streams.out << list.dump(2) << "\n";
            return;
        }
        for (const auto& hit : hits)
            streams.out << "head " << hit.head << (tokens ? "  " + number("%.4g", hit.activation) + "  '" + printable(hit.matched) + "'" : "")
                        << (hit.label.empty() ? "" : "  " + hit.label) << "\n";
    });

    auto* labels = atlas->add_subcommand("labels", "Export or import head labels, notes and bookmarks (.json or .csv)");
    labels->add_option("ATLAS", flags->file)->required();
    auto* exporting = labels->add_option("--export", flags->exportFile, "write them to FILE.json or FILE.csv");
    auto* importing = labels->add_option("--import", flags->importFile, "read them from FILE.json or FILE.csv");
    exporting->excludes(importing);
    labels->callback([flags, streams] {
        if (flags->exportFile.empty() == flags->importFile.empty())
            throw Error(ErrorKind::InvalidInput, "give --export FILE or --import FILE");
        if (!flags->exportFile.empty()) {
            AtlasFile file(flags->file, AtlasFile::Access::ReadOnly);
            streams.out << "exported " << exportAnnotations(file, flags->exportFile) << " annotations to " << flags->exportFile << "\n";
        } else {
            AtlasFile file(flags->file, AtlasFile::Access::ReadWrite);
            streams.out << "imported " << importAnnotations(file, flags->importFile) << " annotations from " << flags->importFile << "\n";
        }
    });

    auto* merge = atlas->add_subcommand("merge", "Merge the atlases of shards (lorsa index --shard I/K) into one, exactly");
    merge->add_option("OUT", flags->out, "the merged atlas")->required();
    merge->add_option("SHARD", flags->shards, "shard atlases")->required();
    merge->callback([flags, streams] {
        std::vector<std::filesystem::path> shards(flags->shards.begin(), flags->shards.end());
        const auto result = mergeAtlases(flags->out, shards);
        streams.out << "merged " << result.shards << " shards (" << result.tokens << " tokens) into " << flags->out << "\n";
    });
}

} // namespace lorsa::cli
