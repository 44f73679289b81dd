// lorsa figure: the explorer's figures without a window (built only with LORSA_BUILD_GUI).

#include "app/cli/commands.h"

#include "widgets/figure_job.h"

#include <QtGlobal>

namespace lorsa::cli {
namespace {

struct FigureFlags {
    EngineFlags engine;
    std::string text;
    std::string textFile;
    bool noBos = false;
    std::string view;
    int head = 0;
    std::optional<int> mhsaHead;
    std::optional<int> token;
    std::string out;
    double widthMm = 180;
    double heightMm = 0;
    int dpi = 300;
    double fontPt = 0;
    bool noTitle = false;
    std::string range = "shared";
    std::string colourScale;
    std::string atlas;
};

} // namespace

std::string qtVersionLine()
{
    return std::string("Qt ") + qVersion();  // the runtime library, which may be newer than the headers
}

void addFigureCommand(CLI::App& app, Streams streams)
{
    auto flags = std::make_shared<FigureFlags>();
    auto* command = app.add_subcommand("figure", "render an explorer view to PDF, SVG or PNG without a window");
    flags->engine.addTo(*command);
    command->add_option("--text", flags->text, "prompt");
    command->add_option("--text-file", flags->textFile, "read the prompt from a UTF-8 file");
    command->add_flag("--no-bos", flags->noBos, "do not prepend the BOS token");
    command->get_option("--model")->required(false);
    command->add_option("--atlas", flags->atlas, "draw from a head atlas instead (lorsa index): --view head-card, no model needed");
    command->add_option("--view", flags->view, "heatmap | qk | zpattern | heads | fidelity | head-card (the head on the prompt); with --atlas: head-card (its top contexts)")->required();
    command->add_option("--head", flags->head, "Lorsa (OV) head")->required();
    command->add_option("--mhsa-head", flags->mhsaHead, "MHSA head for qk (default: the most similar)");
    command->add_option("--token", flags->token, "query token (default: where the head is most active)");
    command->add_option("--out", flags->out, "output file; the format follows the extension (.pdf, .svg, .png)")->required();
    command->add_option("--width-mm", flags->widthMm, "figure width in millimetres")->capture_default_str();
    command->add_option("--height-mm", flags->heightMm, "figure height in millimetres (default: as the view needs)");
    command->add_option("--dpi", flags->dpi, "PNG resolution")->capture_default_str();
    command->add_option("--font-size", flags->fontPt, "base text size in points (qk; default: the view's own)");
    command->add_flag("--no-title", flags->noTitle, "leave the titles out (qk)");
    command->add_option("--range", flags->range, "attention colour range (qk): shared, per-map or LO:HI")->capture_default_str();
    command->add_option("--colour-scale", flags->colourScale, "attention colour scale (qk): linear, sqrt or log");
    command->callback([flags, streams] {
        if (!flags->atlas.empty()) {
            if (flags->view != "head-card")
                throw Error(ErrorKind::InvalidInput, "--view: with --atlas only head-card is drawn");
            AtlasFigureJob job{flags->atlas, flags->head, flags->out, flags->widthMm, flags->dpi};
            runAtlasFigureJob(job);
            streams.out << "wrote " << flags->out << "\n";
            return;
        }
        if (flags->engine.model.empty())
            throw Error(ErrorKind::InvalidInput, "--model is required (or --atlas with --view head-card)");
        FigureJob job;
        job.session = flags->engine.toOptions();
        job.text = promptFrom(flags->text, flags->textFile);
        job.prependBos = !flags->noBos;
        job.view = flags->view;
        job.head = flags->head;
        job.mhsaHead = flags->mhsaHead;
        job.token = flags->token;
        job.out = flags->out;
        job.widthMm = flags->widthMm;
        job.heightMm = flags->heightMm;
        job.dpi = flags->dpi;
        job.fontPt = flags->fontPt;
        job.title = !flags->noTitle;
        job.range = flags->range;
        job.colourScale = flags->colourScale;
        runFigureJob(job);
        streams.out << "wrote " << flags->out << "\n";
    });
}

} // namespace lorsa::cli
