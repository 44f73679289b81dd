#pragma once
// Headless figure making for `lorsa figure`: runs one prompt through an ExplorerSession
// synchronously, fills the same view the window shows, and exports it through the widgets'
// FigureExporter. Plain C++ interface so that the command-line code needs no Qt headers.

#include "model/engine/explorer_session.h"

#include <filesystem>
#include <optional>
#include <string>

namespace lorsa {

struct FigureJob {
    EngineOptions session;
    std::string text;
    bool prependBos = true;
    std::string view;                 ///< heatmap | qk | zpattern | heads
    int32_t head = 0;                 ///< Lorsa (OV) head
    std::optional<int32_t> mhsaHead;  ///< default: the most similar MHSA head
    std::optional<int32_t> token;     ///< default: where the head is most active
    std::filesystem::path out;        ///< .pdf | .svg | .png
    double widthMm = 180;
    double heightMm = 0;              ///< 0: as the view needs
    int dpi = 300;
    // The figure style, for views that take one (qk):
    double fontPt = 0;                ///< 0: the view's own text sizes
    bool title = true;
    std::string range = "shared";     ///< shared | per-map | LO:HI (attention colour range)
    std::string colourScale;          ///< linear | sqrt | log; empty: linear
};

/// Checks the job (view name, extension, size, DPI) before anything is loaded; throws
/// Error(InvalidInput) with one line naming the problem.
void validateFigureJob(const FigureJob& job);

/// Runs \p job; creates an offscreen QApplication when none exists. Throws lorsa::Error.
void runFigureJob(const FigureJob& job);

/// A head's atlas card (`lorsa figure --atlas ATLAS --view head-card --head H`).
struct AtlasFigureJob {
    std::filesystem::path atlas;
    int64_t head = 0;
    std::filesystem::path out;        ///< .pdf | .svg | .png
    double widthMm = 180;
    int dpi = 300;
};

/// Reads the head from the atlas and exports its card (HeadCardFigure). Throws lorsa::Error.
void runAtlasFigureJob(const AtlasFigureJob& job);

} // namespace lorsa
