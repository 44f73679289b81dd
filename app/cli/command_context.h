#pragma once
// Options shared by the lorsa subcommands and the streams they write to.

#include "model/engine/engine.h"
#include "model/engine/explorer_session.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <ostream>
#include <string>

namespace lorsa::cli {

struct Streams {
    std::ostream& out;
    std::ostream& err;
};

/// The --dtype help every engine command shows.
inline constexpr const char* kDtypeHelp =
    "auto | float32 | bfloat16 | float16 (auto: bfloat16 on CUDA for a bfloat16 checkpoint, float32 otherwise)";

/// --model, --lorsa, --layer, --variant, --device, --dtype, --threads, --lorsa-input on a subcommand.
struct EngineFlags {
    std::string model;
    std::string lorsa;
    std::optional<int64_t> layer;
    std::string variant;
    std::string device = "auto";
    std::string dtype = "auto";
    int threads = 0;
    std::string lorsaInput;

    void addTo(CLI::App& command, bool lorsaOption = true);
    EngineOptions toOptions() const;
};

/// Reads --text or --text-file (exactly one must be given); the file must be UTF-8 text.
std::string promptFrom(const std::string& text, const std::string& textFile);

/// Parses "1,2,3" into integers; throws Error(InvalidInput) naming the bad item.
std::vector<int64_t> parseIndexList(const std::string& list, const std::string& flag);
std::vector<std::string> parseNameList(const std::string& list);

} // namespace lorsa::cli
