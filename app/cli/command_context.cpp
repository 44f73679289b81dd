#include "app/cli/command_context.h"
#include "app/cli/malloc_tuning.h"

#include "model/core/error.h"

#include <charconv>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <fstream>
#include <sstream>

namespace lorsa::cli {

void EngineFlags::addTo(CLI::App& command, bool lorsaOption)
{
    command.add_option("--model", model, "Hugging Face model folder (config.json, model.safetensors, tokenizer.json)")->required();
    if (lorsaOption) {
        command.add_option("--lorsa", lorsa,
                           "Lorsa checkpoint folder (Language-Model-SAEs or original release), or a folder tree holding "
                           "several (a Lorsa set such as Llama-Scope-2)");
        command.add_option("--layer", layer, "which layer's Lorsa to open from a Lorsa set");
        command.add_option("--variant", variant, "which variant of that layer, e.g. 8x/k64, when the set has several");
    }
    command.add_option("--device", device, "auto | cpu | cuda")->capture_default_str();
    command.add_option("--dtype", dtype, kDtypeHelp)->capture_default_str();
    command.add_option("--threads", threads, "CPU threads (0 = all cores)")->capture_default_str();
    if (lorsaOption)
        command.add_option("--lorsa-input", lorsaInput, "override the detected Lorsa input: affine | normalized");
}

EngineOptions EngineFlags::toOptions() const
{
    EngineOptions options;
    options.modelDir = model;
    options.lorsaDir = lorsa;
    options.lorsaChoice.layer = layer;
    options.lorsaChoice.variant = variant;
    options.device = device;
    options.dtype = dtype;
    options.threads = threads;
    if (!lorsaInput.empty())
        options.lorsaInput = parseInputMode(lorsaInput);
    return options;
}

void reuseLargeAllocations()
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum on 64-bit
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
#endif
}

std::string promptFrom(const std::string& text, const std::string& textFile)
{
    if (!text.empty() && !textFile.empty())
        throw Error(ErrorKind::InvalidInput, "give either --text or --text-file, not both");
    if (textFile.empty()) {
        if (text.empty())
            throw Error(ErrorKind::InvalidInput, "no prompt: give --text TEXT or --text-file FILE");
        return text;
    }
    std::ifstream in(textFile, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::InvalidInput, textFile + ": cannot read the text file");
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::vector<int64_t> parseIndexList(const std::string& list, const std::string& flag)
{
    std::vector<int64_t> values;
    for (const auto& item : parseNameList(list)) {
        int64_t value = 0;
        const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), value);
        if (error != std::errc() || end != item.data() + item.size() || value < 0)
            throw Error(ErrorKind::InvalidInput, flag + ": '" + item + "' is not a non-negative integer");
        values.push_back(value);
    }
    return values;
}

std::vector<std::string> parseNameList(const std::string& list)
{
    std::vector<std::string> names;
    std::stringstream stream(list);
    std::string item;
    while (std::getline(stream, item, ','))
        if (!item.empty())
            names.push_back(item);
    return names;
}

} // namespace lorsa::cli
