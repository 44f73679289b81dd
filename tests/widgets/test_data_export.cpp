// One text convention for every data export (docs/EXPORTS.md): tokens exactly as decoded, CSV
// quoting (never rewriting) newlines, tabs, '#' and edge spaces, meta values with line breaks as
// JSON string literals; and the head list's promoted / reads-from tokens with their values as
// columns of their own.

#include "tests/widgets/synthetic_analysis.h"
#include "widgets/data_writer.h"
#include "widgets/fidelity_panel.h"
#include "widgets/head_list_view.h"
#include "widgets/pattern_map_view.h"
#include "widgets/selection_model.h"
#include "widgets/token_heatmap_view.h"
#include "widgets/token_score_columns.h"
#include "widgets/z_pattern_view.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <cmath>

using namespace lorsa;

namespace {

// An independent RFC 4180 reader: rows of fields, "#" lines before the header collected apart.
struct Csv {
    QStringList comments;
    QList<QStringList> rows;  // header first
};

Csv parseCsv(const QByteArray& bytes)
{
    const QString text = QString::fromUtf8(bytes);
    Csv csv;
    qsizetype i = 0;
    while (text.mid(i, 2) == QStringLiteral("# ")) {
        const qsizetype end = text.indexOf(QLatin1Char('\n'), i);
        csv.comments << text.mid(i + 2, end - i - 2);
        i = end + 1;
    }
    QStringList row;
    QString field;
    bool quoted = false;
    for (; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() && text[i + 1] == QLatin1Char('"'))
                field += c, ++i;
            else if (c == QLatin1Char('"'))
                quoted = false;
            else
                field += c;
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            row << field;
            field.clear();
        } else if (c == QLatin1Char('\n')) {
            row << field;
            field.clear();
            csv.rows << row;
            row.clear();
        } else {
            field += c;
        }
    }
    return csv;
}

QString exact(const std::string& text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

} // namespace

class TestDataExport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void csvQuotesButNeverRewritesText()
    {
        DataTable table;
        table.columns = {QStringLiteral("token"), QStringLiteral("value")};
        const QStringList texts = {QStringLiteral("\n"), QStringLiteral("\t"), QStringLiteral(" the"), QStringLiteral("#include"), QStringLiteral("a,b"),
                                   QStringLiteral("say \"hi\""), QStringLiteral("\r\n"), QStringLiteral("東京"), QStringLiteral("plain")};
        for (const QString& text : texts)
            table.rows.append({text, 1.5});
        const QByteArray csv = toCsv(table);
        for (const QString& text : texts.mid(0, 7))
            QVERIFY2(csv.contains('"' + QString(text).replace(QStringLiteral("\""), QStringLiteral("\"\"")).toUtf8() + '"'), qPrintable(text));
        QVERIFY(csv.contains("\nplain,1.5\n"));
        const Csv parsed = parseCsv(csv);
        QCOMPARE(parsed.rows.size(), texts.size() + 1);
        for (qsizetype i = 0; i < texts.size(); ++i)
            QCOMPARE(parsed.rows[i + 1][0], texts[i]);
    }

    void metaLinesKeepTheExactText()
    {
        DataTable table;
        table.columns = {QStringLiteral("x")};
        table.meta[QStringLiteral("prompt")] = QStringLiteral("two\nlines\tand a tab");
        table.meta[QStringLiteral("model")] = QStringLiteral("EleutherAI/pythia-70m");
        table.meta[QStringLiteral("quoted")] = QStringLiteral("\"starts with a quote");
        const Csv parsed = parseCsv(toCsv(table));
        QVERIFY(parsed.comments.contains(QStringLiteral("model: EleutherAI/pythia-70m")));
        auto literal = [&](const QString& key) {
            for (const QString& line : parsed.comments)
                if (line.startsWith(key + QStringLiteral(": ")))
                    return QJsonDocument::fromJson((QLatin1Char('[') + line.mid(key.size() + 2) + QLatin1Char(']')).toUtf8()).array().at(0).toString();
            return QString();
        };
        QCOMPARE(literal(QStringLiteral("prompt")), QStringLiteral("two\nlines\tand a tab"));
        QCOMPARE(literal(QStringLiteral("quoted")), QStringLiteral("\"starts with a quote"));
    }

    void tokenScoreColumns()
    {
        DataTable table;
        table.columns = {QStringLiteral("head")};
        table.rows = {{0}, {1}, {2}};
        const std::vector<TokenScore> two = {{5, " the", 2.5f}, {6, "\n", -1.0f}};
        const std::vector<TokenScore> one = {{7, "#", 0.5f}};
        appendTokenScoreColumns(table, QStringLiteral("promoted"), {&two, &one, nullptr});
        QCOMPARE(table.columns, (QStringList{QStringLiteral("head"), QStringLiteral("promoted_token_1"), QStringLiteral("promoted_value_1"),
                                             QStringLiteral("promoted_token_2"), QStringLiteral("promoted_value_2")}));
        QCOMPARE(table.rows[0], (QVariantList{0, QStringLiteral(" the"), 2.5, QStringLiteral("\n"), -1.0}));
        QCOMPARE(table.rows[1].mid(0, 4), (QVariantList{1, QStringLiteral("#"), 0.5, QString()}));
        QVERIFY(std::isnan(table.rows[1][4].toDouble()));
        QCOMPARE(table.rows[2][1], QVariant(QString()));
        QVERIFY(std::isnan(table.rows[2][2].toDouble()));
    }

    void headListExportsTokensAndValues()
    {
        SelectionModel selection;
        HeadListView view(&selection);
        const auto analysis = test::makeAnalysis(24, 64);
        view.setResult(test::makeResult(analysis));
        view.setMode(HeadActivationModel::Mode::AllTokens);
        const DataTable table = view.figureData();
        QVERIFY(table.rows.size() > 2);
        const auto column = [&](const QString& name) { return table.columns.indexOf(name); };
        for (const QString& name : {QStringLiteral("head"), QStringLiteral("token_position"), QStringLiteral("token"), QStringLiteral("promoted_token_5"),
                                    QStringLiteral("promoted_value_5"), QStringLiteral("suppressed_token_1"), QStringLiteral("suppressed_value_5"),
                                    QStringLiteral("reads_from_token_1"), QStringLiteral("reads_from_value_5")})
            QVERIFY2(column(name) >= 0, qPrintable(name));
        for (const QVariantList& row : table.rows) {
            const size_t head = row[column(QStringLiteral("head"))].toULongLong();
            const size_t position = row[column(QStringLiteral("token_position"))].toULongLong();
            QCOMPARE(row[column(QStringLiteral("token"))].toString(), exact(analysis->tokens[position].text));
            const auto& promoted = analysis->headPromotedTokens[head];
            const auto& reads = analysis->headValueTokens[head];
            const auto& suppressed = analysis->headSuppressedTokens[head];
            for (size_t rank = 0; rank < suppressed.size(); ++rank) {
                QCOMPARE(row[column(QStringLiteral("suppressed_token_%1").arg(rank + 1))].toString(), exact(suppressed[rank].text));
                QCOMPARE(row[column(QStringLiteral("suppressed_value_%1").arg(rank + 1))].toDouble(), double(suppressed[rank].score));
            }
            for (size_t rank = 0; rank < promoted.size(); ++rank) {
                QCOMPARE(row[column(QStringLiteral("promoted_token_%1").arg(rank + 1))].toString(), exact(promoted[rank].text));
                QCOMPARE(row[column(QStringLiteral("promoted_value_%1").arg(rank + 1))].toDouble(), double(promoted[rank].score));
                QCOMPARE(row[column(QStringLiteral("reads_from_token_%1").arg(rank + 1))].toString(), exact(reads[rank].text));
                QCOMPARE(row[column(QStringLiteral("reads_from_value_%1").arg(rank + 1))].toDouble(), double(reads[rank].score));
            }
        }
    }

    // Every view's CSV and JSON give back each token exactly as the engine decoded it.
    void everyExportKeepsTokensExact()
    {
        const auto analysis = test::makeAnalysis(40);
        const auto result = test::makeResult(analysis, test::makeDetail(*analysis, 5, 2, 30));
        SelectionModel selection;
        selection.setLorsaHead(5);
        selection.setQueryToken(30);
        TokenHeatmapView heatmap(&selection);
        ZPatternView z(&selection);
        PatternMapView qk(&selection);
        FidelityPanel fidelity;
        HeadListView list(&selection);
        list.setMode(HeadActivationModel::Mode::AllTokens);
        const std::vector<std::pair<AnalysisView*, QString>> views = {
            {&heatmap, QStringLiteral("token")}, {&z, QStringLiteral("key_token")}, {&qk, QStringLiteral("key_token")},
            {&fidelity, QStringLiteral("token")}, {&list, QStringLiteral("token")}};
        for (const auto& [view, tokenColumn] : views) {
            view->setResult(result);
            view->figureHeight(400);  // waits for the QK maps' grids, reduced off the GUI thread
            const DataTable table = view->figureData();
            QVERIFY2(!table.rows.isEmpty(), qPrintable(view->figureName()));
            const int text = table.columns.indexOf(tokenColumn);
            const int position = table.columns.indexOf(view == &z || view == &qk ? QStringLiteral("key") : view == &list ? QStringLiteral("token_position") : QStringLiteral("position"));
            QVERIFY2(text >= 0 && position >= 0, qPrintable(view->figureName()));
            const Csv csv = parseCsv(toCsv(table));
            const QJsonArray json = QJsonDocument::fromJson(toJson(table)).object()[QStringLiteral("rows")].toArray();
            QCOMPARE(csv.rows.size(), table.rows.size() + 1);
            for (qsizetype r = 0; r < table.rows.size(); ++r) {
                const QString expected = exact(analysis->tokens[table.rows[r][position].toULongLong()].text);
                QCOMPARE(csv.rows[r + 1][text], expected);
                QCOMPARE(json[r].toArray()[text].toString(), expected);
            }
        }
    }
};

QTEST_MAIN(TestDataExport)
#include "test_data_export.moc"
