// The on-screen QK maps: a click selects a cell's query and marks its key, the crosshair goes when
// the mouse leaves, zoom is shared by the maps and reset, and the colour scale choice.
#include "tests/widgets/synthetic_analysis.h"
#include "widgets/colour_transform.h"
#include "widgets/pattern_map_view.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/selection_model.h"

#include <QAction>
#include <QtTest>

#include <cmath>

using namespace lorsa;

namespace {

constexpr int kTokens = 20;

/// The pixel at the centre of cell (query, key) of map \p map.
QPoint cellCentre(QCustomPlot* plot, int map, int query, int key)
{
    QCPAxisRect* rect = plot->axisRects().at(map);
    return QPoint(static_cast<int>(rect->axis(QCPAxis::atBottom)->coordToPixel(key)), static_cast<int>(rect->axis(QCPAxis::atLeft)->coordToPixel(query)));
}

} // namespace

class TestPatternMapView : public QObject {
    Q_OBJECT
private:
    SelectionModel m_selection;
    PatternMapView m_view{&m_selection};
    HeadDetailPtr m_detail;

private Q_SLOTS:
    void initTestCase()
    {
        const PromptAnalysisPtr analysis = test::makeAnalysis(kTokens);
        m_detail = test::makeDetail(*analysis, 5, 2, kTokens - 1);
        m_selection.setQueryToken(kTokens - 1);
        m_view.setResult(test::makeResult(analysis, m_detail));
        m_view.resize(1200, 500);
        m_view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&m_view));
        m_view.plot()->replot();  // lays the axis rects out
    }
    void init()
    {
        m_view.findChild<QAction*>(QStringLiteral("resetZoom"))->trigger();
        m_view.plot()->replot();
    }
    void clickSelectsQueryAndMarksKey_data()
    {
        QTest::addColumn<int>("map");
        QTest::addRow("Lorsa") << 0;
        QTest::addRow("MHSA") << 1;
        QTest::addRow("difference") << 2;
    }
    void clickSelectsQueryAndMarksKey()
    {
        QFETCH(int, map);
        QCustomPlot* plot = m_view.plot();
        QTest::mouseClick(plot, Qt::LeftButton, {}, cellCentre(plot, map, 7, 3));
        QCOMPARE(m_selection.queryToken(), 7);
        QCOMPARE(m_view.markedKey(), 3);
        // Another query selected elsewhere: its row has no marked key.
        m_selection.setQueryToken(9);
        QCOMPARE(m_view.markedKey(), -1);
        m_selection.setQueryToken(kTokens - 1);
    }
    // A drag pans (all maps alike) and selects nothing.
    void dragPansWithoutSelecting()
    {
        QCustomPlot* plot = m_view.plot();
        QCPAxis* key = plot->axisRects().at(0)->axis(QCPAxis::atBottom);
        // Zoom in first (the wheel, on the Lorsa map), so that there is room to pan.
        const QPoint centre = cellCentre(plot, 0, 10, 10);
        QWheelEvent wheel(centre, plot->mapToGlobal(centre), {}, QPoint(0, 480), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(plot, &wheel);
        QVERIFY(key->range().size() < kTokens - 1);
        QCOMPARE(plot->axisRects().at(2)->axis(QCPAxis::atBottom)->range(), key->range());
        QCOMPARE(plot->axisRects().at(1)->axis(QCPAxis::atLeft)->range(), plot->axisRects().at(0)->axis(QCPAxis::atLeft)->range());
        plot->replot();
        const QCPRange before = key->range();
        const QPoint from = cellCentre(plot, 0, 10, 10);
        QTest::mousePress(plot, Qt::LeftButton, {}, from);
        QMouseEvent move(QEvent::MouseMove, from + QPoint(40, 0), plot->mapToGlobal(from + QPoint(40, 0)), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(plot, &move);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, from + QPoint(40, 0));
        QVERIFY(key->range().lower < before.lower);
        QCOMPARE(m_selection.queryToken(), kTokens - 1);
        // Never beyond the tokens.
        QVERIFY(key->range().lower >= -0.5);
        // A double-click resets.
        QTest::mouseDClick(plot, Qt::LeftButton, {}, from);
        QCOMPARE(key->range(), QCPRange(-0.5, kTokens - 0.5));
    }
    void crosshairHidesWhenTheMouseLeaves()
    {
        QCustomPlot* plot = m_view.plot();
        QTest::mouseMove(plot, cellCentre(plot, 1, 12, 4));
        QTRY_VERIFY(m_view.crosshairVisible());
        QEvent leave(QEvent::Leave);
        QApplication::sendEvent(plot, &leave);
        QVERIFY(!m_view.crosshairVisible());
    }
    // The menu's choice recolours the attention maps: a cell holds its position along the colour
    // map under the transform.
    // Square maps, as in the figure, whether the width or the height limits them, and as large as
    // that limit allows (the maps grow back when the window does).
    void mapsAreSquareAndFillTheirLimit_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::addRow("wide") << QSize(1400, 420);
        QTest::addRow("tall") << QSize(700, 900);
        QTest::addRow("wide again") << QSize(1500, 520);
    }
    void mapsAreSquareAndFillTheirLimit()
    {
        QFETCH(QSize, size);
        m_view.resize(size);
        QCustomPlot* plot = m_view.plot();
        for (int pass = 0; pass < 8; ++pass) {  // the balancing settles after a queued replot or two
            QCoreApplication::processEvents();
            plot->replot();
        }
        double widths = 0;
        for (QCPAxisRect* rect : plot->axisRects()) {
            if (!rect->visible())
                continue;
            const QRect r = rect->rect();
            QVERIFY2(std::abs(r.width() - r.height()) <= 1, qPrintable(QStringLiteral("%1 x %2").arg(r.width()).arg(r.height())));
            widths += r.width() + rect->margins().left() + rect->margins().right();
        }
        for (const QCPColorScale* scale : plot->findChildren<QCPColorScale*>())
            if (scale->visible())
                widths += scale->outerRect().width();
        const QCPAxisRect* first = plot->axisRects().at(0);
        const bool heightLimited = first->outerRect().bottom() >= plot->height() - 20;
        // Limited by one side, the maps use (nearly) all of it.
        QVERIFY2(heightLimited || widths >= plot->width() - 40, qPrintable(QStringLiteral("maps %1 of %2 px").arg(widths).arg(plot->width())));
        m_view.resize(1200, 500);
    }

    void colourScaleChoice()
    {
        QCPColorMap* lorsa = nullptr;
        for (int i = 0; i < m_view.plot()->plottableCount(); ++i)
            if (auto* map = qobject_cast<QCPColorMap*>(m_view.plot()->plottable(i)); map && !lorsa)
                lorsa = map;
        QVERIFY(lorsa);
        const PatternFigure figure = m_view.figure();
        const double upper = attentionRange(figure.grids[0], figure.grids[1], 0, FigureStyle()).second;
        const double linear = lorsa->data()->cell(2, kTokens - 1);
        QCOMPARE(linear, static_cast<double>(m_detail->lorsaPattern.at(kTokens - 1, 2)) / upper);
        m_view.findChild<QAction*>(QStringLiteral("colourScale-sqrt"))->trigger();
        QCOMPARE(m_view.colourTransform(), ColourTransform::SquareRoot);
        QVERIFY(std::abs(lorsa->data()->cell(2, kTokens - 1) - std::sqrt(linear)) < 1e-6);
        m_view.findChild<QAction*>(QStringLiteral("colourScale-log"))->trigger();
        QVERIFY(m_view.findChild<QAction*>(QStringLiteral("colourScale-log"))->isChecked());
        QVERIFY(!m_view.findChild<QAction*>(QStringLiteral("colourScale-sqrt"))->isChecked());
        m_view.setColourTransform(ColourTransform::Linear);
        QVERIFY(std::abs(lorsa->data()->cell(2, kTokens - 1) - linear) < 1e-6);
    }
};

QTEST_MAIN(TestPatternMapView)
#include "test_pattern_map_view.moc"
