#include "app/cli/cli.h"

#include "app/cli/commands.h"
#include "model/core/build_info.h"
#include "model/core/error.h"

#include <c10/util/Exception.h>
#include <spdlog/spdlog.h>

#include <new>

namespace lorsa::cli {
namespace {

void printError(std::ostream& err, const std::string& message)
{
    auto line = message;
    if (const auto newline = line.find('\n'); newline != std::string::npos)
        line.resize(newline);
    err << "lorsa: error: " << line << "\n";
}

} // namespace

int runLorsaCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err)
{
    CLI::App app{"lorsa - run language models with Lorsa (low-rank sparse attention) layers", "lorsa"};
    app.require_subcommand(1);
    app.set_version_flag("--version", [] {
        std::vector<std::string> extra;
#ifdef LORSA_HAVE_FIGURE_COMMAND
        extra.push_back(qtVersionLine());
#endif
        auto text = versionReport("lorsa", extra);
        text.pop_back();  // CLI11 ends the message with its own newline
        return text;
    }, "print the version, the git commit, LibTorch (and Qt) versions and the devices found, then exit");
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "log what the engine does (threads, BLAS, input detection)");
    app.parse_complete_callback([&] { spdlog::set_level(verbose ? spdlog::level::info : spdlog::level::warn); });
    const Streams streams{out, err};
    addInspectCommand(app, streams);
    addAnalyzeCommand(app, streams);
    addTokenizeCommand(app, streams);
    addBenchCommand(app, streams);
#ifdef LORSA_HAVE_FIGURE_COMMAND
    addFigureCommand(app, streams);
#endif
    addMakeRandomCommand(app, streams);
    addTrainCommand(app, streams);
    addHeadsCommand(app, streams);
    addTrainTokenizerCommand(app, streams);
    addTrainLmCommand(app, streams);
    addIndexCommand(app, streams);
    addAtlasCommand(app, streams);
    addBenchIndexCommand(app, streams);
    try {
        app.parse(argc, argv);
        return 0;
    } catch (const CLI::Success& success) {
        return app.exit(success, out, err);  // --help on any subcommand
    } catch (const CLI::ParseError& error) {
        printError(err, error.what());
        return 2;
    } catch (const Error& error) {
        printError(err, error.what());
        return error.kind() == ErrorKind::Cancelled ? 130 : 2;
    } catch (const c10::Error& error) {
        printError(err, std::string("LibTorch: ") + error.what_without_backtrace());
        return 2;
    } catch (const std::bad_alloc&) {
        printError(err, "out of memory");
        return 2;
    } catch (const std::exception& error) {
        printError(err, error.what());
        return 2;
    }
}

} // namespace lorsa::cli
