#include "app/explorer/figure_job.h"

#include "model/core/error.h"
#include "model/atlas/atlas_reader.h"
#include "widgets/figure_exporter.h"
#include "widgets/head_card_figure.h"
#include "widgets/head_list_view.h"
#include "widgets/pattern_map_view.h"
#include "widgets/selection_model.h"
#include "widgets/token_heatmap_view.h"
#include "widgets/z_pattern_view.h"

#include <QApplication>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>

namespace lorsa {
namespace {

[[noreturn]] void invalid(const std::string& message)
{
    throw Error(ErrorKind::InvalidInput, message);
}

// Headless by default: a figure must not depend on (or need) the user's display.
std::unique_ptr<QApplication> ensureApplication()
{
    if (auto* existing = QCoreApplication::instance()) {
        if (!qobject_cast<QApplication*>(existing))
            invalid("figure rendering needs a QApplication, but another kind of Qt application is running");
        return nullptr;
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "lorsa";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QApplication>(argc, argv);
}

int32_t strongestToken(const PromptAnalysis& analysis, int32_t head)
{
    int32_t best = static_cast<int32_t>(analysis.tokens.size()) - 1;
    float bestValue = 0;
    for (size_t t = 0; t < analysis.active.size(); ++t)
        for (const HeadActivation& active : analysis.active[t])
            if (active.head == head && std::abs(active.activation) > bestValue) {
                bestValue = std::abs(active.activation);
                best = static_cast<int32_t>(t);
            }
    return best;
}

} // namespace

void checkOutput(const std::filesystem::path& out, double widthMm, int dpi)
{
    auto extension = out.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension != ".pdf" && extension != ".svg" && extension != ".png")
        invalid("--out: '" + out.string() + "' must end in .pdf, .svg or .png");
    if (!(widthMm >= 10 && widthMm <= FigureExporter::kMaxWidthMm))
        invalid("--width-mm: " + std::to_string(widthMm) + " is outside 10.." + std::to_string(int(FigureExporter::kMaxWidthMm)));
    if (dpi < 10 || dpi > FigureExporter::kMaxDpi)
        invalid("--dpi: " + std::to_string(dpi) + " is outside 10.." + std::to_string(FigureExporter::kMaxDpi));
}

void runAtlasFigureJob(const AtlasFigureJob& job)
{
    checkOutput(job.out, job.widthMm, job.dpi);
    AtlasFile atlas(job.atlas, AtlasFile::Access::ReadOnly);
    HeadCardData data;
    data.head = readAtlasHead(atlas, job.head);
    data.contexts = readTopContexts(atlas, job.head);
    data.title = QStringLiteral("Lorsa %1").arg(QString::fromStdString(atlas.identity().lorsaFolder));
    const auto application = ensureApplication();
    HeadCardFigure figure(std::move(data));
    FigureOptions options;
    options.widthMm = job.widthMm;
    options.dpi = job.dpi;
    FigureExporter::exportFigure(figure, QString::fromStdString(job.out.string()), options);
}

void validateFigureJob(const FigureJob& job)
{
    static const std::vector<std::string> kViews{"heatmap", "qk", "zpattern", "heads"};
    if (std::find(kViews.begin(), kViews.end(), job.view) == kViews.end())
        invalid("--view: '" + job.view + "' is not one of heatmap, qk, zpattern, heads");
    auto extension = job.out.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension != ".pdf" && extension != ".svg" && extension != ".png")
        invalid("--out: '" + job.out.string() + "' must end in .pdf, .svg or .png");
    if (!(job.widthMm >= 10 && job.widthMm <= FigureExporter::kMaxWidthMm))
        invalid("--width-mm: " + std::to_string(job.widthMm) + " is outside 10.." + std::to_string(int(FigureExporter::kMaxWidthMm)));
    if (job.dpi < 10 || job.dpi > FigureExporter::kMaxDpi)
        invalid("--dpi: " + std::to_string(job.dpi) + " is outside 10.." + std::to_string(FigureExporter::kMaxDpi));
    if (job.head < 0)
        invalid("--head: " + std::to_string(job.head) + " is negative");
    if (job.session.lorsaDir.empty())
        invalid("--lorsa: a Lorsa folder is needed to draw Lorsa heads");
    if (job.text.empty())
        invalid("--text: the prompt is empty");
}

void runFigureJob(const FigureJob& job)
{
    validateFigureJob(job);
    const auto application = ensureApplication();
    auto session = ExplorerSession::open(job.session);
    if (session->info().nOvHeads == 0)
        invalid("--lorsa: a Lorsa folder is needed to draw Lorsa heads");
    const auto analysis = session->analyze(job.text, job.prependBos, 1);
    const int32_t token = job.token.value_or(strongestToken(*analysis, job.head));
    // headDetail checks every index against the prompt and the checkpoint, naming the flag's object.
    const auto detail = session->headDetail(job.head, job.mhsaHead, token, 2);

    SelectionModel selection;
    selection.setLayer(analysis->layer);
    selection.setLorsaHead(job.head);
    selection.setMhsaHead(detail->mhsaHead);
    selection.setQueryToken(token);
    std::unique_ptr<QWidget> widget;
    FigureSource* source = nullptr;
    if (job.view == "heatmap") {
        auto view = std::make_unique<TokenHeatmapView>(&selection);
        view->setAnalysis(analysis);
        view->setHeadDetail(detail);
        source = view.get();
        widget = std::move(view);
    } else if (job.view == "qk") {
        auto view = std::make_unique<PatternMapView>(&selection);
        view->setAnalysis(analysis);
        view->setHeadDetail(detail);
        source = view.get();
        widget = std::move(view);
    } else if (job.view == "zpattern") {
        auto view = std::make_unique<ZPatternView>(&selection);
        view->setAnalysis(analysis);
        view->setHeadDetail(detail);
        source = view.get();
        widget = std::move(view);
    } else {
        auto view = std::make_unique<HeadListView>(&selection);
        view->setAnalysis(analysis);
        view->setHeadDetail(detail);
        source = view.get();
        widget = std::move(view);
    }
    FigureOptions options;
    options.widthMm = job.widthMm;
    options.dpi = job.dpi;
    FigureExporter::exportFigure(*source, QString::fromStdString(job.out.string()), options);
}

} // namespace lorsa
