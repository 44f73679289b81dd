#include "model/atlas/atlas_labels.h"

#include "model/core/atomic_file.h"
#include "model/core/error.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace lorsa {
namespace {

bool isCsv(const std::filesystem::path& file)
{
    auto extension = file.extension().string();
    for (auto& c : extension)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return extension == ".csv";
}

std::string csvField(const std::string& value)
{
    if (value.find_first_of(",\"\n\r") == std::string::npos)
        return value;
    std::string quoted = "\"";
    for (const char c : value)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

/// RFC 4180 rows (quoted fields may hold commas, quotes and newlines).
std::vector<std::vector<std::string>> parseCsv(const std::string& text, const std::string& name)
{
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, fieldStarted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"' && field.empty()) {
            quoted = fieldStarted = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            row.push_back(std::move(field));
            field.clear();
            if (!(row.size() == 1 && row[0].empty() && !fieldStarted))
                rows.push_back(std::move(row));
            row.clear();
            fieldStarted = false;
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (quoted)
        throw Error(ErrorKind::InvalidFile, name + ": a quoted field is not closed");
    if (!field.empty() || !row.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
    }
    return rows;
}

int64_t parseHead(const std::string& text, const std::string& where)
{
    try {
        size_t used = 0;
        const auto value = std::stoll(text, &used);
        if (used == text.size() && value >= 0)
            return value;
    } catch (const std::exception&) {
    }
    throw Error(ErrorKind::InvalidFile, where + ": head '" + text + "' is not a non-negative integer");
}

} // namespace

size_t exportAnnotations(AtlasFile& atlas, const std::filesystem::path& file)
{
    const auto annotations = atlas.annotations();
    std::string content;
    if (isCsv(file)) {
        content = "head,label,note,bookmark\n";
        for (const auto& a : annotations)
            content += std::to_string(a.head) + "," + csvField(a.label) + "," + csvField(a.note) + "," + (a.bookmark ? "1" : "0") + "\n";
    } else {
        auto list = nlohmann::ordered_json::array();
        for (const auto& a : annotations)
            list.push_back({{"head", a.head}, {"label", a.label}, {"note", a.note}, {"bookmark", a.bookmark}});
        content = list.dump(2) + "\n";
    }
    writeFileAtomically(file, content);
    return annotations.size();
}

size_t importAnnotations(AtlasFile& atlas, const std::filesystem::path& file)
{
    const auto name = file.string();
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::InvalidFile, name + ": cannot read the labels file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const auto text = buffer.str();
    std::vector<HeadAnnotation> annotations;
    if (isCsv(file)) {
        const auto rows = parseCsv(text, name);
        if (rows.empty() || rows[0].size() < 2 || rows[0][0] != "head" || rows[0][1] != "label")
            throw Error(ErrorKind::InvalidFile, name + ": expected a header line 'head,label,note,bookmark'");
        for (size_t i = 1; i < rows.size(); ++i) {
            const auto where = name + ":" + std::to_string(i + 1);
            const auto& row = rows[i];
            HeadAnnotation a;
            a.head = parseHead(row[0], where);
            a.label = row.size() > 1 ? row[1] : "";
            a.note = row.size() > 2 ? row[2] : "";
            a.bookmark = row.size() > 3 && (row[3] == "1" || row[3] == "true");
            annotations.push_back(a);
        }
    } else {
        nlohmann::json list;
        try {
            list = nlohmann::json::parse(text);
        } catch (const nlohmann::json::exception& error) {
            throw Error(ErrorKind::InvalidFile, name + ": not JSON: " + error.what());
        }
        if (!list.is_array())
            throw Error(ErrorKind::InvalidFile, name + ": expected a JSON list of {\"head\", \"label\", \"note\", \"bookmark\"}");
        for (size_t i = 0; i < list.size(); ++i) {
            const auto& item = list[i];
            const auto where = name + ": entry " + std::to_string(i);
            if (!item.is_object() || !item.contains("head") || !item["head"].is_number_integer() || item["head"].get<int64_t>() < 0)
                throw Error(ErrorKind::InvalidFile, where + ": needs a non-negative integer \"head\"");
            HeadAnnotation a;
            a.head = item["head"].get<int64_t>();
            a.label = item.value("label", std::string());
            a.note = item.value("note", std::string());
            a.bookmark = item.value("bookmark", false);
            annotations.push_back(a);
        }
    }
    const auto heads = atlas.meta("n_ov_heads") ? atlas.metaInteger("n_ov_heads") : -1;
    SqliteTransaction transaction(atlas.db());
    for (const auto& a : annotations) {
        if (heads >= 0 && a.head >= heads)
            throw Error(ErrorKind::InvalidInput, name + ": head " + std::to_string(a.head) + " does not exist (the atlas has " +
                                                     std::to_string(heads) + " heads)");
        atlas.setAnnotation(a);
    }
    transaction.commit();
    return annotations.size();
}

} // namespace lorsa
