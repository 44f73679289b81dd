#pragma once
// The lorsa subcommands. Each adds itself to the application and runs from its callback,
// throwing lorsa::Error on bad input (reported by runLorsaCli).

#include "app/cli/command_context.h"
#include "model/core/error.h"

namespace lorsa::cli {

void addInspectCommand(CLI::App& app, Streams streams);
void addAnalyzeCommand(CLI::App& app, Streams streams);
void addTokenizeCommand(CLI::App& app, Streams streams);
void addBenchCommand(CLI::App& app, Streams streams);
#ifdef LORSA_HAVE_FIGURE_COMMAND
void addFigureCommand(CLI::App& app, Streams streams);  // needs Qt: GUI builds only
/// "Qt 6.4.2" (the Qt `lorsa figure` draws with), for --version; in figure_command.cpp.
std::string qtVersionLine();
#endif
void addMakeRandomCommand(CLI::App& app, Streams streams);
void addTrainCommand(CLI::App& app, Streams streams);
void addHeadsCommand(CLI::App& app, Streams streams);
void addTrainTokenizerCommand(CLI::App& app, Streams streams);
void addTrainLmCommand(CLI::App& app, Streams streams);
void addIndexCommand(CLI::App& app, Streams streams);
void addAtlasCommand(CLI::App& app, Streams streams);
void addBenchIndexCommand(CLI::App& app, Streams streams);

} // namespace lorsa::cli
