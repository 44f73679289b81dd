#pragma once
// Private to widgets/pattern_map_view*.cpp: the view's QCustomPlot objects, kept out of its
// header so that includers never see QCustomPlot.

#include "widgets/grid_reducer.h"
#include "widgets/map_navigation.h"
#include "widgets/pattern_map_view.h"
#include "widgets/plot_style.h"

#include <array>
#include <vector>

namespace lorsa {

struct PatternMapView::Plot {
    QCustomPlot* plot = nullptr;
    std::array<QCPAxisRect*, 3> rects{};
    std::array<CellColorMap*, 3> maps{};
    std::array<QCPTextElement*, 3> titles{};
    QCPColorScale* patternScale = nullptr;
    QCPColorScale* differenceScale = nullptr;
    QCPLayoutElement* spacerRight = nullptr;  // take the width or height that square maps leave
    QCPLayoutElement* spacerBelow = nullptr;
    QSize tickedMapSize;  // the map size of the last layout, which the next replot's ticks follow
    std::array<QCPItemStraightLine*, 6> crosshair{};
    std::array<QCPItemRect*, 3> queryRow{};  // outlines the selected query's row
    std::array<QCPItemRect*, 3> keyCell{};   // outlines the clicked cell of that row
    int64_t shownTokens = 0;  // of the maps as last filled (0 when they could not be)
    std::vector<CellGrid> grids;  // (3) as last filled, untransformed; empty when they could not be
    GridReducer* reducer = nullptr;
    MapNavigation* navigation = nullptr;
};

} // namespace lorsa
