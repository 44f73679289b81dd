// The views by name: every registered name makes a view that takes a result and draws a figure of
// the size it asks for; an unknown name makes nothing.
#include "tests/widgets/synthetic_analysis.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/selection_model.h"
#include "widgets/view_registry.h"

#include <QImage>
#include <QtTest>

using namespace lorsa;

class TestViewRegistry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyNamedViewShowsAResult()
    {
        const QStringList names = analysisViewNames();
        QCOMPARE(names, (QStringList{QStringLiteral("heatmap"), QStringLiteral("qk"), QStringLiteral("zpattern"), QStringLiteral("heads"),
                                     QStringLiteral("fidelity"), QStringLiteral("head-card")}));
        const auto analysis = test::makeAnalysis(20);
        const auto result = test::makeResult(analysis, test::makeDetail(*analysis, 3, 1, 9));
        SelectionModel selection;
        selection.setLorsaHead(3);
        selection.setQueryToken(9);
        QStringList figureNames;
        for (const QString& name : names) {
            const auto view = makeAnalysisView(name, &selection);
            QVERIFY2(view, qPrintable(name));
            QVERIFY(view->widget());
            view->setResult(result);
            const double height = view->figureHeight(480);
            QVERIFY2(height > 10 && height < 5000, qPrintable(name));
            QImage image(480, static_cast<int>(height), QImage::Format_ARGB32);
            image.fill(Qt::white);
            QCPPainter painter(&image);
            view->renderFigure(painter, QRectF(0, 0, 480, height), Theme::light());
            painter.end();
            int inked = 0;
            for (int y = 0; y < image.height(); y += 2)
                for (int x = 0; x < image.width(); x += 2)
                    inked += image.pixelColor(x, y) != QColor(Qt::white);
            QVERIFY2(inked > 200, qPrintable(name + QStringLiteral(": %1 pixels drawn").arg(inked)));
            QVERIFY2(!view->figureData().rows.isEmpty(), qPrintable(name));
            view->setResult(nullptr);  // nothing analysed: no crash, no stale data
            figureNames << view->figureName();
        }
        figureNames.removeDuplicates();
        QCOMPARE(figureNames.size(), names.size());
    }

    void unknownNamesMakeNothing()
    {
        SelectionModel selection;
        QVERIFY(!makeAnalysisView(QStringLiteral("qk "), &selection));
        QVERIFY(!makeAnalysisView(QString(), &selection));
    }
};

QTEST_MAIN(TestViewRegistry)
#include "test_view_registry.moc"
