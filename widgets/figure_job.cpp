#include "widgets/figure_job.h"

#include "model/core/error.h"
#include "model/atlas/atlas_reader.h"
#include "widgets/figure_exporter.h"
#include "widgets/head_card_figure.h"
#include "widgets/selection_model.h"
#include "widgets/view_registry.h"

#include <QApplication>

#include <algorithm>
#include <cctype>
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

namespace {

/// The job's style flags as a FigureStyle; throws naming the flag.
FigureStyle styleOf(const FigureJob& job)
{
    FigureStyle style;
    if (!(job.fontPt == 0 || (job.fontPt >= FigureExporter::kMinFontPt && job.fontPt <= FigureExporter::kMaxFontPt)))
        invalid("--font-size: " + std::to_string(job.fontPt) + " pt is outside " + std::to_string(int(FigureExporter::kMinFontPt)) + ".."
                + std::to_string(int(FigureExporter::kMaxFontPt)));
    style.fontPt = job.fontPt;
    style.title = job.title;
    if (job.range == "per-map") {
        style.range = FigureStyle::Range::PerMap;
    } else if (job.range != "shared") {
        const QStringList ends = QString::fromStdString(job.range).split(QLatin1Char(':'));
        bool lowOk = false, highOk = false;
        style.range = FigureStyle::Range::Fixed;
        style.lower = ends.size() == 2 ? ends[0].toDouble(&lowOk) : 0;
        style.upper = ends.size() == 2 ? ends[1].toDouble(&highOk) : 0;
        if (!lowOk || !highOk || !(style.upper > style.lower))
            invalid("--range: '" + job.range + "' is not shared, per-map or LO:HI with LO < HI");
    }
    if (!job.colourScale.empty()) {
        style.transform = colourTransformFromKey(QString::fromStdString(job.colourScale));
        if (!style.transform)
            invalid("--colour-scale: '" + job.colourScale + "' is not linear, sqrt or log");
    }
    return style;
}

} // namespace

void validateFigureJob(const FigureJob& job)
{
    styleOf(job);
    const auto views = analysisViewNames();
    if (!views.contains(QString::fromStdString(job.view)))
        invalid("--view: '" + job.view + "' is not one of " + views.join(QStringLiteral(", ")).toStdString());
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
    auto result = std::make_shared<ExplorerResult>();
    result->analysis = session->analyze(job.text, job.prependBos, 1);
    SelectionIntent strongest;
    strongest.query = SelectionIntent::Query::StrongestForHead;
    strongest.selection.lorsaHead = job.head;
    result->selection.lorsaHead = job.head;
    result->selection.mhsaHead = job.mhsaHead;
    result->selection.queryToken = job.token.value_or(resolveSelection(*result->analysis, strongest).queryToken);
    // headDetail checks every index against the prompt and the checkpoint, naming the flag's object.
    result->detail = session->headDetail(job.head, job.mhsaHead, result->selection.queryToken, 1);

    SelectionModel selection;
    selection.setLayer(result->analysis->session->layer);
    selection.setLorsaHead(job.head);
    selection.setMhsaHead(result->detail->mhsaHead);
    selection.setQueryToken(result->selection.queryToken);
    const auto view = makeAnalysisView(QString::fromStdString(job.view), &selection);
    view->setResult(result);
    FigureOptions options;
    options.widthMm = job.widthMm;
    options.heightMm = job.heightMm;
    options.dpi = job.dpi;
    options.style = styleOf(job);
    FigureExporter::exportFigure(*view, QString::fromStdString(job.out.string()), options);
}

} // namespace lorsa
