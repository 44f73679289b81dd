// PatternMapView as a figure and as data (FigureSource); the view itself is pattern_map_view.cpp.
#include "widgets/pattern_map_view.h"

#include "widgets/data_writer.h"
#include "widgets/pattern_map_view_plot.h"
#include "widgets/token_layout.h"

namespace lorsa {

double PatternMapView::figureHeight(double width) const
{
    return styledFigureHeight(width, FigureStyle());
}

void PatternMapView::renderFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme)
{
    renderStyledFigure(painter, rect, theme, FigureStyle());
}

PatternFigure PatternMapView::figure() const
{
    const Plot& p = *m_plot;
    PatternFigure figure;
    figure.transform = m_transform;
    figure.mhsaOnly = m_mhsaOnly;
    if (p.grids.size() != 3)
        return figure;
    for (size_t i = 0; i < 3; ++i) {
        figure.grids[i] = p.grids[i];
        figure.titles[i] = p.titles[i]->text();
    }
    if (m_analysis && static_cast<int64_t>(m_analysis->tokens.size()) == p.shownTokens)
        for (const TokenInfo& token : m_analysis->tokens)
            figure.tokens << displayToken(token.text);
    return figure;
}

double PatternMapView::styledFigureHeight(double width, const FigureStyle& style) const
{
    m_plot->reducer->finish();
    return layoutPatternFigure(figure(), QRectF(0, 0, width, 0), style).naturalHeight;
}

void PatternMapView::renderStyledFigure(QCPPainter& painter, const QRectF& rect, const Theme& theme, const FigureStyle& style)
{
    m_plot->reducer->finish();
    PatternFigure shown = figure();
    shown.transform = style.transform.value_or(m_transform);
    paintPatternFigure(painter, rect, shown, style, theme);
}

DataTable PatternMapView::figureData() const
{
    DataTable table;
    table.columns = {QStringLiteral("query"), QStringLiteral("key"), QStringLiteral("query_token"), QStringLiteral("key_token")};
    table.columns += m_mhsaOnly ? QStringList{QStringLiteral("mhsa")}
                                : QStringList{QStringLiteral("lorsa"), QStringLiteral("mhsa"), QStringLiteral("difference")};
    table.meta = provenance(m_analysis.get(), figureName());
    const HeadDetail* d = m_detail.get();
    if (!d)
        return table;
    const int64_t n = m_plot->shownTokens;
    auto tokenText = [this](int64_t t) {
        return m_analysis && static_cast<size_t>(t) < m_analysis->tokens.size() ? QString::fromStdString(m_analysis->tokens[static_cast<size_t>(t)].text) : QString();
    };
    table.meta[QStringLiteral("mhsa_head")] = d->mhsaHead;
    if (m_mhsaOnly) {
        for (int64_t q = 0; q < n; ++q)
            for (int64_t k = 0; k <= q; ++k)
                table.rows.append({static_cast<qlonglong>(q), static_cast<qlonglong>(k), tokenText(q), tokenText(k),
                    static_cast<double>(d->mhsaPattern.at(q, k))});
        return table;
    }
    table.meta[QStringLiteral("lorsa_head")] = d->lorsaHead;
    table.meta[QStringLiteral("qk_head")] = d->qkHead;
    table.meta[QStringLiteral("mhsa_similarity")] = QStringLiteral("mean Jensen-Shannon distance of rows");
    for (int64_t q = 0; q < n; ++q)
        for (int64_t k = 0; k <= q; ++k)
            table.rows.append({static_cast<qlonglong>(q), static_cast<qlonglong>(k), tokenText(q), tokenText(k),
                static_cast<double>(d->lorsaPattern.at(q, k)), static_cast<double>(d->mhsaPattern.at(q, k)),
                static_cast<double>(d->lorsaPattern.at(q, k) - d->mhsaPattern.at(q, k))});
    return table;
}

} // namespace lorsa
