// Runs the real `lorsa` executable on fixture checkpoints: outputs, files and exit codes.
#include <torch/torch.h>

#include "model/io/tensor_source.h"
#include "tests/app/cli/lorsa_cli_run.h"
#include "tests/model/engine/exact_lorsa.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace lorsa;
using test::lorsaCli;
using test::path;

class TestLorsaCli : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    QString m_model;
    QString m_lorsa;

private Q_SLOTS:
    void initTestCase()
    {
        test::Gpt2FixtureOptions model;
        test::writeTinyGpt2(m_dir / "gpt2", model);
        std::filesystem::create_directories(m_dir / "lorsa");
        test::writeExactGpt2Lorsa(m_dir / "lorsa", m_dir / "gpt2", 1, model.nHeads, true);
        m_model = path(m_dir / "gpt2");
        m_lorsa = path(m_dir / "lorsa");
    }

    void helpSucceeds()
    {
        const auto run = lorsaCli({QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        for (const auto* command : {"inspect", "analyze", "tokenize", "bench"})
            QVERIFY(run.out.contains(QLatin1String(command)));
    }

    void versionNamesBuildAndDevices()
    {
        const auto run = lorsaCli({QStringLiteral("--version")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.startsWith(QStringLiteral("lorsa " LORSA_TEST_PROJECT_VERSION)), qPrintable(run.out));
        for (const auto& part : {QStringLiteral("\nLibTorch "), QStringLiteral("\nQt 6"), QStringLiteral("\ndevices: cpu (")})
            QVERIFY2(run.out.contains(part), qPrintable(run.out));
    }

    void tokenizePrintsIdsAndSpans()
    {
        const auto plain = lorsaCli({QStringLiteral("tokenize"), QStringLiteral("--model"), m_model, QStringLiteral("--text"), QStringLiteral("hi there")});
        QCOMPARE(plain.exitCode, 0);
        const auto ids = plain.out.trimmed().split(QLatin1Char(' '));
        QCOMPARE(ids.front(), QStringLiteral("266"));  // the fixture's <|endoftext|> = BOS
        const auto noBos = lorsaCli({QStringLiteral("tokenize"), QStringLiteral("--model"), m_model, QStringLiteral("--text"),
                                     QStringLiteral("hi there"), QStringLiteral("--no-bos")});
        QCOMPARE(noBos.out.trimmed().split(QLatin1Char(' ')).size(), ids.size() - 1);
        const auto json = lorsaCli({QStringLiteral("tokenize"), QStringLiteral("--tokenizer"), path(m_dir / "gpt2" / "tokenizer.json"),
                                    QStringLiteral("--text"), QStringLiteral("hi there"), QStringLiteral("--json"), QStringLiteral("--no-bos")});
        QCOMPARE(json.exitCode, 0);
        const auto tokens = test::jsonOf(json).object()[QStringLiteral("tokens")].toArray();
        QCOMPARE(tokens.size(), ids.size() - 1);
        QString joined;
        for (const auto& token : tokens)
            joined += token.toObject()[QStringLiteral("text")].toString();
        QCOMPARE(joined, QStringLiteral("hi there"));
        const auto lastSpan = tokens.last().toObject()[QStringLiteral("bytes")].toArray();
        QCOMPARE(lastSpan.at(1).toInt(), 8);
    }

    void analyzeDumpsEveryDefaultTensor()
    {
        const auto out = m_dir / "dump.safetensors";
        const auto run = lorsaCli({QStringLiteral("analyze"), QStringLiteral("--model"), m_model, QStringLiteral("--lorsa"), m_lorsa,
                                   QStringLiteral("--text"), QStringLiteral("Mary gave John a book."), QStringLiteral("--dump"),
                                   path(out), QStringLiteral("--z-heads"), QStringLiteral("5,1"), QStringLiteral("--device"), QStringLiteral("cpu")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const auto dump = openSafetensors(out);
        const auto T = dump->info("tokens").shape.at(0);
        QCOMPARE(dump->info("tokens").dtype, std::string("I64"));
        for (int layer = 0; layer < 2; ++layer) {
            const auto prefix = "blocks." + std::to_string(layer) + ".";
            QCOMPARE(dump->info(prefix + "hook_resid_pre").shape, std::vector<int64_t>({T, 32}));
            QCOMPARE(dump->info(prefix + "ln1.hook_normalized").shape, std::vector<int64_t>({T, 32}));
            QCOMPARE(dump->info(prefix + "attn.hook_pattern").shape, std::vector<int64_t>({4, T, T}));
            QCOMPARE(dump->info(prefix + "attn.hook_z").shape, std::vector<int64_t>({T, 4, 8}));
            QCOMPARE(dump->info(prefix + "hook_attn_out").shape, std::vector<int64_t>({T, 32}));
            QCOMPARE(dump->info(prefix + "hook_resid_post").dtype, std::string("F32"));
        }
        QCOMPARE(dump->info("logits").shape, std::vector<int64_t>({T, 300}));
        QCOMPARE(dump->info("lorsa.hook_attn_pattern").shape, std::vector<int64_t>({4, T, T}));
        QCOMPARE(dump->info("lorsa.hook_hidden_pre").shape, std::vector<int64_t>({T, 64}));
        QCOMPARE(dump->info("lorsa.hook_feature_acts").shape, std::vector<int64_t>({T, 64}));
        QCOMPARE(dump->info("lorsa.hook_reconstructed").shape, std::vector<int64_t>({T, 32}));
        QCOMPARE(dump->info("lorsa.z_pattern").shape, std::vector<int64_t>({2, T, T}));
        QCOMPARE(dump->load("lorsa.z_pattern_heads")[0].item<int64_t>(), int64_t(5));
        // Causal patterns, and the affine exact Lorsa rebuilds the uncentred attention output.
        QCOMPARE(dump->load("blocks.1.attn.hook_pattern").triu(1).abs().sum().item<float>(), 0.0f);
        const auto attnOut = dump->load("blocks.1.hook_attn_out");
        QVERIFY((dump->load("lorsa.hook_reconstructed") - attnOut).abs().max().item<float>() < 1e-4f);
        QCOMPARE(dump->metadata().at("lorsa_input"), std::string("affine"));

        const auto selected = m_dir / "selected.safetensors";
        const auto few = lorsaCli({QStringLiteral("analyze"), QStringLiteral("--model"), m_model, QStringLiteral("--text"),
                                   QStringLiteral("abc"), QStringLiteral("--dump"), path(selected), QStringLiteral("--hooks"),
                                   QStringLiteral("tokens,blocks.0.attn.hook_q,blocks.1.hook_mlp_out")});
        QVERIFY2(few.exitCode == 0, qPrintable(few.err));
        QCOMPARE(openSafetensors(selected)->names().size(), size_t(3));
    }

    void analyzeJsonSummarises()
    {
        const auto run = lorsaCli({QStringLiteral("analyze"), QStringLiteral("--model"), m_model, QStringLiteral("--lorsa"), m_lorsa,
                                   QStringLiteral("--text"), QStringLiteral("the cat sat on the mat"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const auto json = test::jsonOf(run).object();
        QVERIFY(json[QStringLiteral("tokens")].toArray().size() > 3);
        QCOMPARE(json[QStringLiteral("lorsa")].toObject()[QStringLiteral("input")].toString(), QStringLiteral("affine"));
        QVERIFY(json[QStringLiteral("fidelity")].toObject()[QStringLiteral("fvu")].toDouble() < 1e-6);
        QCOMPARE(json[QStringLiteral("top_heads")].toArray().size(), json[QStringLiteral("tokens")].toArray().size());
    }

    // Longer than the model's positions: analysed up to them, with a warning, never refused.
    void longPromptsAreCutToTheContextWithAWarning()
    {
        const auto run = lorsaCli({QStringLiteral("analyze"), QStringLiteral("--model"), m_model, QStringLiteral("--lorsa"), m_lorsa,
                                   QStringLiteral("--text"), QString(300, QLatin1Char('z')), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("warning: the prompt is 301 tokens long")), qPrintable(run.err));
        const auto json = test::jsonOf(run).object();
        const auto analysed = json[QStringLiteral("tokens")].toArray().size();
        QVERIFY(analysed > 0 && analysed < 301);
        QCOMPARE(json[QStringLiteral("truncated_from")].toInt(), 301);
        QVERIFY2(run.err.contains(QStringLiteral("only the first %1 are analysed").arg(analysed)), qPrintable(run.err));
    }

    void inspectDescribesBothFolders()
    {
        const auto model = lorsaCli({QStringLiteral("inspect"), m_model, QStringLiteral("--json")});
        QVERIFY2(model.exitCode == 0, qPrintable(model.err));
        const auto modelJson = test::jsonOf(model).object();
        QCOMPARE(modelJson[QStringLiteral("architecture")].toString(), QStringLiteral("gpt2"));
        QVERIFY(modelJson[QStringLiteral("parameters")].toDouble() > 1000);
        const auto lorsaRun = lorsaCli({QStringLiteral("inspect"), m_lorsa, QStringLiteral("--model"), m_model, QStringLiteral("--json")});
        QVERIFY2(lorsaRun.exitCode == 0, qPrintable(lorsaRun.err));
        const auto lorsaJson = test::jsonOf(lorsaRun).object();
        QCOMPARE(lorsaJson[QStringLiteral("n_ov_heads")].toInt(), 64);
        const auto input = lorsaJson[QStringLiteral("input")].toObject();
        QCOMPARE(input[QStringLiteral("chosen")].toString(), QStringLiteral("affine"));
        QCOMPARE(input[QStringLiteral("how")].toString(), QStringLiteral("detected"));
        QVERIFY(input[QStringLiteral("fvu_affine")].toDouble() < input[QStringLiteral("fvu_normalized")].toDouble());
    }

    void benchReportsMedians()
    {
        const auto run = lorsaCli({QStringLiteral("bench"), QStringLiteral("--model"), m_model, QStringLiteral("--lorsa"), m_lorsa,
                                   QStringLiteral("--tokens"), QStringLiteral("16"), QStringLiteral("--repeat"), QStringLiteral("3"),
                                   QStringLiteral("--baseline"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const auto json = test::jsonOf(run).object();
        for (const auto* key : {"model_ms", "lorsa_ms", "total_ms", "tokens_per_s", "peak_rss_mb", "baseline_lorsa_ms"})
            QVERIFY2(json[QLatin1String(key)].toDouble() > 0, key);
    }

    void benchTypingComparesWithRecomputing()
    {
        const auto run = lorsaCli({QStringLiteral("bench"), QStringLiteral("--typing"), QStringLiteral("--model"), m_model,
                                   QStringLiteral("--lorsa"), m_lorsa, QStringLiteral("--tokens"), QStringLiteral("12"),
                                   QStringLiteral("--keystrokes"), QStringLiteral("4"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const auto json = test::jsonOf(run).object();
        QCOMPARE(json[QStringLiteral("keystrokes")].toInt(), 4);
        for (const auto* mode : {"reusing_prefix", "recomputing"}) {
            const auto timings = json[QLatin1String(mode)].toObject();
            for (const auto* key : {"analyze_ms", "head_detail_ms", "keystroke_ms"})
                QVERIFY2(timings[QLatin1String(key)].toObject()[QStringLiteral("median")].toDouble() > 0, key);
        }
        QVERIFY(json[QStringLiteral("speed_up")].toDouble() > 0);
    }

    void badInputExitsTwoWithOneLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("mentions");
        const auto model = QStringLiteral("--model");
        QTest::addRow("missing model folder") << QStringList{QStringLiteral("analyze"), model, QStringLiteral("/nonexistent"), QStringLiteral("--text"), QStringLiteral("x"), QStringLiteral("--json")} << QStringLiteral("nonexistent");
        QTest::addRow("float16 on cpu") << QStringList{QStringLiteral("analyze"), model, QStringLiteral("@MODEL"), QStringLiteral("--text"), QStringLiteral("x"), QStringLiteral("--json"), QStringLiteral("--device"), QStringLiteral("cpu"), QStringLiteral("--dtype"), QStringLiteral("float16")} << QStringLiteral("float16");
        QTest::addRow("empty prompt") << QStringList{QStringLiteral("analyze"), model, QStringLiteral("@MODEL"), QStringLiteral("--text-file"), QStringLiteral("@EMPTY"), QStringLiteral("--json")} << QStringLiteral("empty");
        QTest::addRow("invalid utf-8") << QStringList{QStringLiteral("analyze"), model, QStringLiteral("@MODEL"), QStringLiteral("--text-file"), QStringLiteral("@BINARY"), QStringLiteral("--json")} << QStringLiteral("UTF-8");
        QTest::addRow("unknown hook") << QStringList{QStringLiteral("analyze"), model, QStringLiteral("@MODEL"), QStringLiteral("--text"), QStringLiteral("x"), QStringLiteral("--dump"), QStringLiteral("@OUT"), QStringLiteral("--hooks"), QStringLiteral("blocks.7.hook_resid_pre")} << QStringLiteral("unknown hook");
        QTest::addRow("unknown option") << QStringList{QStringLiteral("analyze"), model, QStringLiteral("@MODEL"), QStringLiteral("--text"), QStringLiteral("x"), QStringLiteral("--frobnicate")} << QStringLiteral("frobnicate");
        QTest::addRow("truncated weights") << QStringList{QStringLiteral("analyze"), model, QStringLiteral("@BROKEN"), QStringLiteral("--text"), QStringLiteral("x"), QStringLiteral("--json")} << QStringLiteral("model.safetensors");
    }
    void badInputExitsTwoWithOneLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, mentions);
        test::TempDir scratch;
        test::writeFile(scratch / "empty.txt", "");
        test::writeFile(scratch / "binary.txt", std::string("ab\xff\xfe\x80", 5));
        std::filesystem::copy(m_dir / "gpt2", scratch / "broken");
        const auto weights = test::readFile(scratch / "broken" / "model.safetensors");
        test::writeFile(scratch / "broken" / "model.safetensors", weights.substr(0, weights.size() / 2));
        for (auto& argument : arguments) {
            argument.replace(QStringLiteral("@MODEL"), m_model);
            argument.replace(QStringLiteral("@EMPTY"), path(scratch / "empty.txt"));
            argument.replace(QStringLiteral("@BINARY"), path(scratch / "binary.txt"));
            argument.replace(QStringLiteral("@BROKEN"), path(scratch / "broken"));
            argument.replace(QStringLiteral("@OUT"), path(scratch / "out.safetensors"));
        }
        const auto run = lorsaCli(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QCOMPARE(run.err.count(QLatin1Char('\n')), 1);
        QVERIFY2(run.err.startsWith(QStringLiteral("lorsa: error: ")), qPrintable(run.err));
        QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
        QVERIFY(!std::filesystem::exists(scratch / "out.safetensors"));
    }
};

QTEST_GUILESS_MAIN(TestLorsaCli)
#include "test_lorsa_cli.moc"
