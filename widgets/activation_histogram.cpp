#include "widgets/activation_histogram.h"

#include "widgets/plot_style.h"

#include <algorithm>
#include <cmath>

namespace lorsa {

void plotActivationHistogram(QCustomPlot* plot, const AtlasHead& head, const Theme& theme)
{
    plot->clearPlottables();
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setBrush(theme.line);
    bars->setPen(Qt::NoPen);
    QVector<double> keys, values;
    double lowest = INFINITY, highest = 0, maxCount = 1;
    for (size_t b = 0; b < head.histogramCounts.size() && b + 1 < head.histogramEdges.size(); ++b) {
        if (head.histogramCounts[b] == 0)
            continue;
        keys.append(std::sqrt(head.histogramEdges[b] * head.histogramEdges[b + 1]));
        values.append(double(head.histogramCounts[b]));
        lowest = std::min(lowest, head.histogramEdges[b]);
        highest = std::max(highest, head.histogramEdges[b + 1]);
        maxCount = std::max(maxCount, values.back());
    }
    bars->setData(keys, values);
    if (!keys.isEmpty()) {
        // A bin spans a fixed ratio of edges: as a fraction of the log axis, 80% of it.
        const double ratio = head.histogramEdges[1] / head.histogramEdges[0];
        bars->setWidthType(QCPBars::wtAxisRectRatio);
        bars->setWidth(0.8 * std::log(ratio) / std::log(highest / lowest));
    }
    for (auto* axis : {plot->xAxis, plot->yAxis}) {
        axis->setScaleType(QCPAxis::stLogarithmic);
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    }
    plot->xAxis->setLabel(QStringLiteral("|activation| (log-spaced bins)"));
    plot->yAxis->setLabel(QStringLiteral("count"));
    plot->xAxis->setRange(keys.isEmpty() ? 1e-3 : lowest, keys.isEmpty() ? 1e1 : highest);
    plot->yAxis->setRange(0.5, maxCount * 2);
}

} // namespace lorsa
