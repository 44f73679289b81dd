#include "tests/widgets/synthetic_analysis.h"
#include "widgets/selection_model.h"
#include "widgets/token_heatmap_view.h"
#include "widgets/token_layout.h"

#include <QSignalSpy>
#include <QtTest>

using namespace lorsa;

class TestTokenLayout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void displayTexts_data()
    {
        QTest::addColumn<QByteArray>("utf8");
        QTest::addColumn<QString>("shown");
        QTest::addRow("space") << QByteArray(" cat") << QStringLiteral("\u2423cat");
        QTest::addRow("newline") << QByteArray("\n") << QStringLiteral("\u21B5");
        QTest::addRow("tab") << QByteArray("\t") << QStringLiteral("\u2192");
        QTest::addRow("control") << QByteArray("\x01") << QStringLiteral("\\x01");
        QTest::addRow("empty") << QByteArray() << QStringLiteral("\u2205");
        QTest::addRow("partial utf8") << QByteArray("\xe6\x9d") << QStringLiteral("\uFFFD\uFFFD");
        QTest::addRow("cjk") << QByteArray("東京") << QStringLiteral("東京");
    }
    void displayTexts()
    {
        QFETCH(QByteArray, utf8);
        QFETCH(QString, shown);
        QCOMPARE(displayToken(utf8.toStdString()), shown);
    }
    void wrapsAndBreaksAtNewlines()
    {
        const QVector<QString> texts{QStringLiteral("aaaa"), QStringLiteral("bbbb"), QStringLiteral("\u21B5"), QStringLiteral("cc"), QStringLiteral("dddd"),
            QStringLiteral("eeee"), QStringLiteral("ffff")};
        QFont font;
        const double w = QFontMetricsF(font).horizontalAdvance(QStringLiteral("aaaa")) + 2 * TokenLayout::kPaddingX;
        // Room for exactly three boxes of "aaaa" per line.
        const double width = 2 * TokenLayout::kMargin + 3 * std::ceil(w) + 2 * TokenLayout::kGapX + 1;
        const TokenLayout layout(texts, font, width);
        QCOMPARE(layout.tokenCount(), 7);
        QCOMPARE(layout.lineOf(0), 0);
        QCOMPARE(layout.lineOf(2), 0);   // the newline glyph stays on its line...
        QCOMPARE(layout.lineOf(3), 1);   // ...and the next token starts a new one
        QCOMPARE(layout.lineOf(5), 1);
        QCOMPARE(layout.lineOf(6), 2);   // wrapped
        for (int i = 0; i < layout.tokenCount(); ++i) {
            QVERIFY(layout.box(i).right() <= width);
            QCOMPARE(layout.tokenAt(layout.box(i).center()), i);
        }
        QCOMPARE(layout.tokenAt(QPointF(width - 1, layout.box(0).center().y())), -1);  // right of the last box
        QCOMPARE(layout.tokenAt(QPointF(1, 1)), -1);                                   // in the margin
        QCOMPARE(layout.tokenAt(QPointF(layout.box(0).right() + TokenLayout::kGapX / 2, layout.box(0).center().y())), -1);  // in a gap
    }
    void hugeTokenIsClipped()
    {
        const TokenLayout layout({QString(500, QLatin1Char('x')), QStringLiteral("y")}, QFont(), 200);
        QVERIFY(layout.box(0).width() <= 200 - 2 * TokenLayout::kMargin);
        QCOMPARE(layout.lineOf(1), 1);
    }
    void laysOut2048Tokens()
    {
        const PromptAnalysisPtr analysis = test::makeAnalysis(2048);
        QVector<QString> texts;
        for (const TokenInfo& t : analysis->tokens)
            texts << displayToken(t.text);
        const TokenLayout layout(texts, QFont(), 900);
        QCOMPARE(layout.tokenCount(), 2048);
        QVERIFY(layout.lineCount() > 20);
        const auto [first, end] = layout.linesIn(1000, 1400);
        QVERIFY(first > 0 && end > first && end - first < 30);
        for (int t = 0; t < 2048; t += 97)
            QCOMPARE(layout.tokenAt(layout.box(t).center()), t);
    }
    void viewClickSelectsQueryAndShowsValues()
    {
        SelectionModel selection;
        TokenHeatmapView view(&selection);
        view.resize(600, 400);
        const PromptAnalysisPtr analysis = test::makeAnalysis(300);
        view.setResult(test::makeResult(analysis));
        const int head = analysis->active[5].front().head;
        selection.setLorsaHead(head);
        QCOMPARE(view.values()[5], static_cast<double>(analysis->active[5].front().activation));
        QSignalSpy spy(&selection, &SelectionModel::changed);
        const QRectF box = view.tokenLayout().box(17);
        QCOMPARE(view.tokenAtViewport(box.center().toPoint()), 17);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, box.center().toPoint());
        QCOMPARE(selection.queryToken(), 17);
        QCOMPARE(spy.count(), 1);
        // Attention from query 17: keys after it are undefined, the row sums to 1.
        view.setResult(test::makeResult(analysis, test::makeDetail(*analysis, head, 2, 17)));
        selection.setQuantity(HeatmapQuantity::LorsaAttention);
        double sum = 0;
        for (int k = 0; k <= 17; ++k)
            sum += view.values()[static_cast<size_t>(k)];
        QVERIFY(std::abs(sum - 1) < 1e-5);
        QVERIFY(std::isnan(view.values()[18]));
        selection.setQuantity(HeatmapQuantity::ActiveHeadCount);
        QCOMPARE(view.values()[9], static_cast<double>(analysis->active[9].size()));
        QVERIFY(view.quantityCaption().startsWith(QStringLiteral("Active")));
        // A top-k Lorsa: the same count everywhere (BOS aside) says nothing; the error per token does.
        auto topK = std::make_shared<PromptAnalysis>(*analysis);
        topK->activeCount.assign(topK->activeCount.size(), 4.0f);
        topK->activeCount[0] = 1.0f;
        view.setResult(test::makeResult(topK, test::makeDetail(*topK, head, 2, 17)));
        for (size_t t = 0; t < topK->tokens.size(); ++t)
            QCOMPARE(view.values()[t], double(topK->fidelity.errorPerToken[t]));
        QVERIFY2(view.quantityCaption().contains(QStringLiteral("4 active heads")), qPrintable(view.quantityCaption()));
        QVERIFY(!view.grab().isNull());
    }
};

QTEST_MAIN(TestTokenLayout)
#include "test_token_layout.moc"
