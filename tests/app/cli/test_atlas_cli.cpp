// lorsa index and lorsa atlas through the real executable: exit codes and the JSON fields
// `lorsa atlas top/head/info --json` promise (issue 9, docs/ATLAS.md).
#include <torch/torch.h>

#include "tests/app/cli/lorsa_cli_run.h"
#include "tests/model/atlas/atlas_fixture.h"

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace lorsa;
using test::lorsaCli;
using test::path;

class TestAtlasCli : public QObject {
    Q_OBJECT

    std::unique_ptr<test::AtlasFixture> m_fixture;
    QString m_atlas;

    QStringList indexArguments(const QString& out) const
    {
        return {QStringLiteral("index"), QStringLiteral("--model"), path(m_fixture->model), QStringLiteral("--lorsa"),
                path(m_fixture->lorsa), QStringLiteral("--corpus"), path(m_fixture->corpus), QStringLiteral("--out"), out,
                QStringLiteral("--context"), QStringLiteral("16"), QStringLiteral("--top"), QStringLiteral("5"),
                QStringLiteral("--batch"), QStringLiteral("4"), QStringLiteral("--device"), QStringLiteral("cpu"),
                QStringLiteral("--threads"), QStringLiteral("1")};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_fixture = std::make_unique<test::AtlasFixture>();
        m_atlas = path(m_fixture->dir / "atlas.sqlite");
        const auto run = lorsaCli(indexArguments(m_atlas));
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QLatin1String("tokens/s")));
    }

    // --lorsa may name a set: the atlas records the Lorsa chosen from it, as one built from that folder.
    void indexesALorsaOfASet()
    {
        const auto set = m_fixture->dir / "set";
        std::filesystem::create_directories(set);
        std::filesystem::copy(m_fixture->lorsa, set / "L1", std::filesystem::copy_options::recursive);
        auto arguments = indexArguments(path(m_fixture->dir / "from-set.sqlite"));
        arguments[arguments.indexOf(path(m_fixture->lorsa))] = path(set);
        arguments << QStringLiteral("--layer") << QStringLiteral("1");
        const auto run = lorsaCli(arguments);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const auto info = test::jsonOf(lorsaCli({QStringLiteral("atlas"), QStringLiteral("info"), path(m_fixture->dir / "from-set.sqlite"),
                                          QStringLiteral("--json")}))
                              .object();
        QCOMPARE(info[QLatin1String("lorsa")].toObject()[QLatin1String("folder")].toString(), QStringLiteral("L1"));
        const auto direct = test::jsonOf(lorsaCli({QStringLiteral("atlas"), QStringLiteral("info"), m_atlas, QStringLiteral("--json")})).object();
        QCOMPARE(info[QLatin1String("lorsa")].toObject()[QLatin1String("config_hash")],
                 direct[QLatin1String("lorsa")].toObject()[QLatin1String("config_hash")]);
    }

    void infoJson()
    {
        const auto info = test::jsonOf(lorsaCli({QStringLiteral("atlas"), QStringLiteral("info"), m_atlas, QStringLiteral("--json")})).object();
        QCOMPARE(info[QLatin1String("status")].toString(), QStringLiteral("complete"));
        QCOMPARE(info[QLatin1String("heads")].toInt(), 16);
        QVERIFY(info[QLatin1String("tokens_indexed")].toInt() > 100);
        QVERIFY(info[QLatin1String("dead_heads")].toInt() >= 0);
        QCOMPARE(info[QLatin1String("lorsa")].toObject()[QLatin1String("folder")].toString(), QStringLiteral("lorsa"));
        QCOMPARE(info[QLatin1String("lorsa")].toObject()[QLatin1String("layer")].toInt(), 1);
    }

    void topAndHeadJson()
    {
        int checked = 0;
        for (int head = 0; head < 16; ++head) {
            const auto h = QString::number(head);
            const auto top = test::jsonOf(lorsaCli({QStringLiteral("atlas"), QStringLiteral("top"), m_atlas, QStringLiteral("--head"), h,
                                             QStringLiteral("--json")})).array();
            const auto stats = test::jsonOf(lorsaCli({QStringLiteral("atlas"), QStringLiteral("head"), m_atlas, QStringLiteral("--head"), h,
                                               QStringLiteral("--json")})).object();
            for (const auto* key : {"active_count", "frequency", "max", "mean_active", "histogram", "qk_head", "similar_mhsa_head",
                                    "scores", "promoted", "suppressed", "label", "note"})
                QVERIFY2(stats.contains(QLatin1String(key)), key);
            const auto histogram = stats[QLatin1String("histogram")].toObject();
            QCOMPARE(histogram[QLatin1String("edges")].toArray().size(), histogram[QLatin1String("counts")].toArray().size() + 1);
            double previous = INFINITY;
            for (int r = 0; r < top.size(); ++r) {
                const auto c = top[r].toObject();
                QCOMPARE(c[QLatin1String("rank")].toInt(), r);
                const auto tokens = c[QLatin1String("tokens")].toArray();
                const auto position = c[QLatin1String("position")].toInt();
                QVERIFY(position >= 1 && position < tokens.size());
                QCOMPARE(tokens[0].toInt(), 266);  // the fixture's BOS first
                QCOMPARE(c[QLatin1String("z_pattern")].toArray().size(), position + 1);
                QVERIFY(c[QLatin1String("text")].toString().size() > 0);
                QVERIFY(c.contains(QLatin1String("document")) && c.contains(QLatin1String("start")));
                const auto activation = c[QLatin1String("activation")].toDouble();
                QVERIFY(activation > 0 && activation <= previous);
                QCOMPARE(c[QLatin1String("activations")].toArray()[position].toDouble(), activation);
                previous = activation;
                ++checked;
            }
            if (!top.isEmpty())
                QCOMPARE(top[0].toObject()[QLatin1String("activation")].toDouble(), stats[QLatin1String("max")].toDouble());
        }
        QVERIFY(checked > 20);
    }

    void searchAndLabels()
    {
        const auto hits = test::jsonOf(lorsaCli({QStringLiteral("atlas"), QStringLiteral("search"), m_atlas, QStringLiteral("--token"),
                                          QStringLiteral("a"), QStringLiteral("--json")})).array();
        QVERIFY(!hits.isEmpty());
        const auto labels = path(m_fixture->dir / "labels.csv");
        test::writeFile(m_fixture->dir / "labels.csv", "head,label,note,bookmark\n2,\"name mover, maybe\",,1\n");
        QCOMPARE(lorsaCli({QStringLiteral("atlas"), QStringLiteral("labels"), m_atlas, QStringLiteral("--import"), labels}).exitCode, 0);
        const auto found = test::jsonOf(lorsaCli({QStringLiteral("atlas"), QStringLiteral("search"), m_atlas, QStringLiteral("--label"),
                                           QStringLiteral("mover"), QStringLiteral("--json")})).array();
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].toObject()[QLatin1String("head")].toInt(), 2);
        // A rebuild into the same file keeps the label.
        QCOMPARE(lorsaCli(indexArguments(m_atlas)).exitCode, 0);
        const auto head = test::jsonOf(lorsaCli({QStringLiteral("atlas"), QStringLiteral("head"), m_atlas, QStringLiteral("--head"),
                                          QStringLiteral("2"), QStringLiteral("--json")})).object();
        QCOMPARE(head[QLatin1String("label")].toString(), QStringLiteral("name mover, maybe"));
    }

    void headCardFigure()
    {
        const auto out = path(m_fixture->dir / "card.png");
        const auto run = lorsaCli({QStringLiteral("figure"), QStringLiteral("--atlas"), m_atlas, QStringLiteral("--view"),
                                   QStringLiteral("head-card"), QStringLiteral("--head"), QStringLiteral("1"), QStringLiteral("--out"), out,
                                   QStringLiteral("--dpi"), QStringLiteral("50")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QImage image(out);
        QVERIFY(!image.isNull() && image.height() > 100);
        const auto wrong = lorsaCli({QStringLiteral("figure"), QStringLiteral("--atlas"), m_atlas, QStringLiteral("--view"),
                                     QStringLiteral("qk"), QStringLiteral("--head"), QStringLiteral("1"), QStringLiteral("--out"), out});
        QCOMPARE(wrong.exitCode, 2);
    }

    void shardsMergeAndRefusals()
    {
        QStringList shards;
        for (int i = 0; i < 2; ++i) {
            const auto out = path(m_fixture->dir / ("shard" + std::to_string(i) + ".sqlite"));
            auto arguments = indexArguments(out);
            arguments << QStringLiteral("--shard") << QStringLiteral("%1/2").arg(i);
            QCOMPARE(lorsaCli(arguments).exitCode, 0);
            shards << out;
        }
        const auto merged = path(m_fixture->dir / "merged.sqlite");
        QCOMPARE(lorsaCli(QStringList{QStringLiteral("atlas"), QStringLiteral("merge"), merged} + shards).exitCode, 0);
        const auto a = lorsaCli({QStringLiteral("atlas"), QStringLiteral("top"), merged, QStringLiteral("--head"), QStringLiteral("1"), QStringLiteral("--json")});
        const auto b = lorsaCli({QStringLiteral("atlas"), QStringLiteral("top"), m_atlas, QStringLiteral("--head"), QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(a.out, b.out);

        test::writeFile(m_fixture->dir / "junk.sqlite", "junk junk junk");
        const auto junk = lorsaCli({QStringLiteral("atlas"), QStringLiteral("info"), path(m_fixture->dir / "junk.sqlite")});
        QCOMPARE(junk.exitCode, 2);
        QVERIFY2(junk.err.contains(QLatin1String("not an SQLite database")), qPrintable(junk.err));
        auto other = indexArguments(m_atlas);
        other[4] = path(m_fixture->otherLorsa);
        const auto refused = lorsaCli(other);
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(QLatin1String("built from Lorsa")), qPrintable(refused.err));
        const auto missing = lorsaCli({QStringLiteral("atlas"), QStringLiteral("top"), m_atlas, QStringLiteral("--head"), QStringLiteral("99")});
        QCOMPARE(missing.exitCode, 2);
    }
};

QTEST_APPLESS_MAIN(TestAtlasCli)
#include "test_atlas_cli.moc"
