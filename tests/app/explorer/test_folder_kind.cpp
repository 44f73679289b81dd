// Drag and drop tells model folders from Lorsa folders by config.json alone; the command line
// (options, folders given as arguments or file:// URLs by the file manager, --version).

#include "app/explorer/explorer_options.h"
#include "app/explorer/folder_kind.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

using namespace lorsa;

class TestFolderKind : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void classify_data()
    {
        QTest::addColumn<QByteArray>("config");  // empty: no config.json
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("reason");
        const int model = int(FolderKind::Model), lorsa = int(FolderKind::Lorsa), unknown = int(FolderKind::Unknown);
        QTest::addRow("gpt2") << QByteArray(R"({"model_type": "gpt2", "n_embd": 32})") << model << QString();
        QTest::addRow("architectures only") << QByteArray(R"({"architectures": ["LlamaForCausalLM"]})") << model << QString();
        QTest::addRow("Language-Model-SAEs") << QByteArray(R"({"sae_type": "lorsa", "d_model": 32})") << lorsa << QString();
        QTest::addRow("original release") << QByteArray(R"({"n_ov_heads": 64, "d_qk_head": 4, "model_name": "x"})") << lorsa << QString();
        QTest::addRow("an SAE, not a Lorsa") << QByteArray(R"({"sae_type": "sae"})") << unknown << QStringLiteral("neither");
        QTest::addRow("no config") << QByteArray() << unknown << QStringLiteral("missing");
        QTest::addRow("broken JSON") << QByteArray("{\"model_type\": ") << unknown << QStringLiteral("not valid JSON");
        QTest::addRow("array") << QByteArray("[1, 2]") << unknown << QStringLiteral("not a JSON object");
        QTest::addRow("binary junk") << QByteArray("\xff\xfe\x00\x01", 4) << unknown << QStringLiteral("not valid JSON");
    }

    void classify()
    {
        QFETCH(QByteArray, config);
        QFETCH(int, kind);
        QFETCH(QString, reason);
        test::TempDir dir;
        if (!config.isEmpty())
            test::writeFile(dir / "config.json", config.toStdString());
        const auto result = classifyFolder(QString::fromStdString(dir.path().string()));
        QCOMPARE(int(result.kind), kind);
        QVERIFY2(result.reason.contains(reason), qPrintable(result.reason));
        if (kind == int(FolderKind::Unknown))
            QVERIFY(result.reason.contains(QStringLiteral("config.json")));
    }

    void notAFolder()
    {
        test::TempDir dir;
        test::writeFile(dir / "file.txt", "x");
        const auto result = classifyFolder(QString::fromStdString((dir / "file.txt").string()));
        QCOMPARE(result.kind, FolderKind::Unknown);
        QVERIFY(result.reason.contains(QStringLiteral("not a folder")));
    }

    void commandLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("message");
        const QString p = QStringLiteral("lorsa-explorer");
        QTest::addRow("all") << QStringList{p, QStringLiteral("--model"), QStringLiteral("/m"), QStringLiteral("--lorsa"), QStringLiteral("/l"),
                                            QStringLiteral("--text"), QStringLiteral("hi there"), QStringLiteral("--device"), QStringLiteral("CPU"),
                                            QStringLiteral("--dtype"), QStringLiteral("bfloat16")}
                             << true << QString();
        QTest::addRow("nothing") << QStringList{p} << true << QString();
        QTest::addRow("lorsa without model") << QStringList{p, QStringLiteral("--lorsa"), QStringLiteral("/l")} << false << QStringLiteral("--model");
        QTest::addRow("bad device") << QStringList{p, QStringLiteral("--device"), QStringLiteral("tpu")} << false << QStringLiteral("tpu");
        QTest::addRow("bad dtype") << QStringList{p, QStringLiteral("--dtype"), QStringLiteral("int8")} << false << QStringLiteral("int8");
        QTest::addRow("unknown option") << QStringList{p, QStringLiteral("--frobnicate")} << false << QStringLiteral("frobnicate");
        QTest::addRow("missing value") << QStringList{p, QStringLiteral("--model")} << false << QStringLiteral("model");
        QTest::addRow("stray argument") << QStringList{p, QStringLiteral("stray")} << false << QStringLiteral("stray");
    }

    void commandLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, ok);
        QFETCH(QString, message);
        QString error;
        int exitCode = -1;
        const auto options = parseExplorerArguments(arguments, error, exitCode);
        QCOMPARE(options.has_value(), ok);
        if (!ok) {
            QCOMPARE(exitCode, 2);
            QVERIFY2(error.contains(message), qPrintable(error));
        } else if (arguments.size() > 1) {
            QCOMPARE(options->modelDir, QStringLiteral("/m"));
            QCOMPARE(options->lorsaDir, QStringLiteral("/l"));
            QCOMPARE(options->text, QStringLiteral("hi there"));
            QVERIFY(options->hasText);
            QCOMPARE(options->device, QStringLiteral("cpu"));
            QCOMPARE(options->dtype, QStringLiteral("bfloat16"));
        } else {
            QVERIFY(!options->hasText);
        }
    }

    void automaticPrecisionIsAccepted()
    {
        QString error;
        int exitCode = -1;
        const auto options = parseExplorerArguments({QStringLiteral("lorsa-explorer"), QStringLiteral("--dtype"), QStringLiteral("Auto")}, error, exitCode);
        QVERIFY2(options.has_value(), qPrintable(error));
        QCOMPARE(options->dtype, QStringLiteral("auto"));
    }

    void foldersAsArguments()
    {
        test::TempDir dir;
        test::writeFile(dir / "model/config.json", R"({"model_type": "gpt2"})");
        test::writeFile(dir / "lorsa/config.json", R"({"sae_type": "lorsa"})");
        test::writeFile(dir / "other/config.json", R"({"sae_type": "sae"})");
        const QString model = QString::fromStdString((dir / "model").string());
        const QString lorsa = QString::fromStdString((dir / "lorsa").string());
        const QString p = QStringLiteral("lorsa-explorer");
        QString error;
        int exitCode = -1;

        // Either order; the file manager may pass file:// URLs.
        auto options = parseExplorerArguments({p, lorsa, QUrl::fromLocalFile(model).toString()}, error, exitCode);
        QVERIFY2(options, qPrintable(error));
        QCOMPARE(options->modelDir, model);
        QCOMPARE(options->lorsaDir, lorsa);
        options = parseExplorerArguments({p, model + QStringLiteral("/")}, error, exitCode);
        QVERIFY2(options, qPrintable(error));
        QCOMPARE(options->modelDir, model);
        QVERIFY(options->lorsaDir.isEmpty());

        const auto refused = [&](const QStringList& arguments, const QString& expected) {
            const auto none = parseExplorerArguments(arguments, error, exitCode);
            return !none && exitCode == 2 && error.contains(expected);
        };
        QVERIFY2(refused({p, lorsa}, QStringLiteral("give its model folder too")), qPrintable(error));
        QVERIFY2(refused({p, model, model}, QStringLiteral("a second model folder")), qPrintable(error));
        QVERIFY2(refused({p, QStringLiteral("--model"), model, model}, QStringLiteral("a second model folder")), qPrintable(error));
        QVERIFY2(refused({p, QString::fromStdString((dir / "other").string())}, QStringLiteral("config.json")), qPrintable(error));
        QVERIFY2(refused({p, QString::fromStdString((dir / "absent").string())}, QStringLiteral("not a folder")), qPrintable(error));
    }

    void versionAndSettingsFile()
    {
        QString message;
        int exitCode = -1;
        QVERIFY(!parseExplorerArguments({QStringLiteral("lorsa-explorer"), QStringLiteral("--version")}, message, exitCode));
        QCOMPARE(exitCode, 0);
        QVERIFY2(message.startsWith(QStringLiteral("lorsa-explorer ")), qPrintable(message));
        for (const auto& part : {QStringLiteral("\nLibTorch "), QStringLiteral("\nQt 6"), QStringLiteral("\ndevices: cpu")})
            QVERIFY2(message.contains(part), qPrintable(message));

        QVERIFY(!parseExplorerArguments({QStringLiteral("lorsa-explorer"), QStringLiteral("--help")}, message, exitCode));
        QCOMPARE(exitCode, 0);
        QVERIFY2(message.contains(settingsFilePath()), qPrintable(message));
        QVERIFY(settingsFilePath().endsWith(QStringLiteral(".conf")));
    }
};

QTEST_APPLESS_MAIN(TestFolderKind)
#include "test_folder_kind.moc"
