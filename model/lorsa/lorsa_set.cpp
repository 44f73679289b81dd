#include "model/lorsa/lorsa_set.h"

#include "model/core/error.h"
#include "model/lorsa/json_fields.h"
#include "model/lorsa/lorsa_config.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace lorsa {
namespace {

namespace fs = std::filesystem;

// A published set is three or four folders deep; the bounds keep a mistaken `--lorsa /` from
// walking a whole disk.
constexpr int kMaxDepth = 8;
constexpr int64_t kMaxEntries = 200000;

std::string expansionText(int64_t nOv, int64_t dModel)
{
    if (nOv % dModel == 0)
        return std::to_string(nOv / dModel);
    std::ostringstream out;
    out << static_cast<double>(nOv) / static_cast<double>(dModel);
    return out.str();
}

// A folder whose config.json declares another kind of dictionary (a transcoder or an SAE next to
// the Lorsas, as Llama-Scope-2 ships them) or a model is not part of the Lorsa set.
bool declaresOtherKind(const fs::path& configFile)
{
    try {
        const auto json = readJsonObject(configFile);
        if (json.contains("sae_type") && json.at("sae_type").is_string())
            return json.at("sae_type").get<std::string>() != "lorsa";
        return json.contains("model_type") || json.contains("architectures");
    } catch (const Error&) {
        return false;  // unreadable: listed with its problem
    }
}

LorsaSetEntry entryFor(const fs::path& dir)
{
    LorsaSetEntry entry;
    entry.dir = dir;
    try {
        const auto config = loadLorsaConfig(dir);
        entry.layer = config.layer;
        entry.nOvHeads = config.nOvHeads;
        entry.topK = config.activation == LorsaActivation::TopK ? config.topK : 0;
        const char* act = config.activation == LorsaActivation::JumpRelu ? "jumprelu" : "relu";
        entry.variant = expansionText(config.nOvHeads, config.dModel) + "x/" +
                        (entry.topK > 0 ? "k" + std::to_string(entry.topK) : std::string(act));
    } catch (const Error& error) {
        entry.problem = error.what();
    }
    return entry;
}

std::string layerList(std::vector<int64_t> layers)
{
    std::sort(layers.begin(), layers.end());
    std::ostringstream out;
    for (size_t i = 0; i < layers.size();) {
        size_t j = i;
        while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1)
            ++j;
        out << (i ? ", " : "") << layers[i];
        if (j > i + 1)
            out << "-" << layers[j];
        else if (j == i + 1)
            out << ", " << layers[j];
        i = j + 1;
    }
    return out.str();
}

} // namespace

bool isLorsaFolder(const fs::path& dir)
{
    std::error_code error;
    return fs::is_regular_file(dir / "config.json", error);
}

std::vector<LorsaSetEntry> listLorsaSet(const fs::path& root)
{
    std::error_code error;
    if (!fs::is_directory(root, error))
        throw Error(ErrorKind::InvalidFile, root.string() + (fs::exists(root, error) ? ": not a folder" : ": no such folder"));
    if (isLorsaFolder(root))
        return {entryFor(root)};

    std::vector<LorsaSetEntry> entries;
    int64_t visited = 0;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
    if (error)
        throw Error(ErrorKind::InvalidFile, root.string() + ": cannot list the folder (" + error.message() + ")");
    for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (error)
            throw Error(ErrorKind::InvalidFile, root.string() + ": cannot list the folder (" + error.message() + ")");
        if (++visited > kMaxEntries)
            throw Error(ErrorKind::InvalidInput, root.string() + ": more than " + std::to_string(kMaxEntries) +
                                                     " files and folders; is this the folder of a Lorsa set?");
        const auto& path = it->path();
        const bool hidden = path.filename().string().rfind('.', 0) == 0;  // no starts_with: the fuzz build is C++17
        if (!it->is_directory(error) || it->is_symlink(error) || hidden) {
            if (hidden && it->is_directory(error))
                it.disable_recursion_pending();
            continue;
        }
        if (!isLorsaFolder(path)) {
            if (it.depth() + 1 >= kMaxDepth)
                it.disable_recursion_pending();
            continue;
        }
        it.disable_recursion_pending();  // a Lorsa folder's checkpoints/ are its own
        if (!declaresOtherKind(path / "config.json"))
            entries.push_back(entryFor(path));
    }

    std::map<std::pair<std::string, int64_t>, const LorsaSetEntry*> claimed;
    for (const auto& entry : entries) {
        if (!entry.problem.empty())
            continue;
        const auto [slot, fresh] = claimed.emplace(std::make_pair(entry.variant, entry.layer), &entry);
        if (!fresh)
            throw Error(ErrorKind::InvalidConfig, "Lorsa set " + root.string() + ": " + slot->second->dir.string() + " and " +
                                                      entry.dir.string() + " both claim layer " + std::to_string(entry.layer) +
                                                      " (variant " + entry.variant + "); remove one or open it directly");
    }
    std::sort(entries.begin(), entries.end(), [](const LorsaSetEntry& a, const LorsaSetEntry& b) {
        return std::tie(a.nOvHeads, a.topK, a.variant, a.layer, a.dir) < std::tie(b.nOvHeads, b.topK, b.variant, b.layer, b.dir);
    });
    return entries;
}

std::string describeLorsaSet(const std::vector<LorsaSetEntry>& entries)
{
    std::vector<std::string> order;
    std::map<std::string, std::vector<int64_t>> layers;
    for (const auto& entry : entries) {
        if (!entry.problem.empty())
            continue;
        if (!layers.count(entry.variant))
            order.push_back(entry.variant);
        layers[entry.variant].push_back(entry.layer);
    }
    std::string text;
    for (const auto& variant : order)
        text += (text.empty() ? "" : "; ") + variant + ": layer" + (layers[variant].size() > 1 ? "s " : " ") + layerList(layers[variant]);
    return text.empty() ? "no usable Lorsa" : text;
}

fs::path chooseLorsa(const fs::path& root, const LorsaChoice& choice)
{
    const auto entries = listLorsaSet(root);
    if (isLorsaFolder(root)) {
        const auto& only = entries.front();
        if (!only.problem.empty())
            throw Error(ErrorKind::InvalidConfig, only.problem);
        if (choice.layer && *choice.layer != only.layer)
            throw Error(ErrorKind::Mismatch, root.string() + " is the Lorsa of layer " + std::to_string(only.layer) + ", not of layer " +
                                                 std::to_string(*choice.layer));
        if (!choice.variant.empty() && choice.variant != only.variant)
            throw Error(ErrorKind::Mismatch, root.string() + " is variant " + only.variant + ", not " + choice.variant);
        return root;
    }
    std::vector<const LorsaSetEntry*> matches;
    for (const auto& entry : entries)
        if ((!choice.layer || entry.layer == *choice.layer) && (choice.variant.empty() || entry.variant == choice.variant) &&
            entry.problem.empty())
            matches.push_back(&entry);
    const auto holds = " (it holds " + describeLorsaSet(entries) + ")";
    if (entries.empty())
        throw Error(ErrorKind::InvalidFile, root.string() + ": no Lorsa folder (config.json with sae_type \"lorsa\") in this folder tree");
    if (matches.empty()) {
        for (const auto& entry : entries)
            if (!entry.problem.empty() && (!choice.layer || entry.layer == *choice.layer || entry.layer < 0))
                throw Error(ErrorKind::InvalidConfig, "Lorsa set " + root.string() + ": " + entry.problem);
        std::string wanted = choice.layer ? "layer " + std::to_string(*choice.layer) : std::string("a Lorsa");
        if (!choice.variant.empty())
            wanted += " of variant " + choice.variant;
        throw Error(ErrorKind::InvalidInput, "Lorsa set " + root.string() + " has no " + wanted + holds);
    }
    if (matches.size() == 1)
        return matches.front()->dir;
    if (!choice.layer) {
        std::set<int64_t> layers;
        for (const auto* entry : matches)
            layers.insert(entry->layer);
        if (layers.size() > 1)
            throw Error(ErrorKind::InvalidInput, "Lorsa set " + root.string() + " holds several layers: choose one with --layer" + holds);
    }
    throw Error(ErrorKind::InvalidInput, "Lorsa set " + root.string() + " holds several variants" +
                                             (choice.layer ? " of layer " + std::to_string(*choice.layer) : std::string()) +
                                             ": choose one with --variant" + holds);
}

} // namespace lorsa
