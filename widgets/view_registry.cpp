#include "widgets/view_registry.h"

#include "widgets/fidelity_panel.h"
#include "widgets/head_list_view.h"
#include "widgets/live_head_card.h"
#include "widgets/pattern_map_view.h"
#include "widgets/token_heatmap_view.h"
#include "widgets/z_pattern_view.h"

#include <functional>
#include <utility>
#include <vector>

namespace lorsa {
namespace {

using Factory = std::function<std::unique_ptr<AnalysisView>(SelectionModel*)>;

const std::vector<std::pair<QString, Factory>>& registry()
{
    static const std::vector<std::pair<QString, Factory>> views{
        {QStringLiteral("heatmap"), [](SelectionModel* s) { return std::make_unique<TokenHeatmapView>(s); }},
        {QStringLiteral("qk"), [](SelectionModel* s) { return std::make_unique<PatternMapView>(s); }},
        {QStringLiteral("zpattern"), [](SelectionModel* s) { return std::make_unique<ZPatternView>(s); }},
        {QStringLiteral("heads"), [](SelectionModel* s) { return std::make_unique<HeadListView>(s); }},
        {QStringLiteral("fidelity"), [](SelectionModel*) { return std::make_unique<FidelityPanel>(); }},
        {QStringLiteral("head-card"), [](SelectionModel*) { return std::make_unique<LiveHeadCard>(); }},
    };
    return views;
}

} // namespace

QStringList analysisViewNames()
{
    QStringList names;
    for (const auto& [name, factory] : registry())
        names << name;
    return names;
}

std::unique_ptr<AnalysisView> makeAnalysisView(const QString& name, SelectionModel* selection)
{
    for (const auto& [known, factory] : registry())
        if (known == name)
            return factory(selection);
    return nullptr;
}

} // namespace lorsa
