#include "model/core/error.h"
#include "model/training/corpus_reader.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

using namespace lorsa;

class TestCorpusReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rejectsBadFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::addRow("empty") << QByteArray() << QStringLiteral("is empty");
        QTest::addRow("whitespace only") << QByteArray(" \n\n\t \r\n") << QStringLiteral("only whitespace");
        QTest::addRow("NUL byte") << QByteArray("text\0more", 9) << QStringLiteral("NUL byte at offset 4");
        QTest::addRow("binary") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) << QStringLiteral("NUL byte at offset 8");
        QTest::addRow("binary without NUL") << QByteArray("\x89PNG\r\n\x1a\n") << QStringLiteral("invalid UTF-8 at byte offset 0");
        QTest::addRow("latin-1") << QByteArray("caf\xe9 au lait") << QStringLiteral("invalid UTF-8 at byte offset 3");
        QTest::addRow("truncated sequence") << QByteArray("ok \xe2\x82") << QStringLiteral("invalid UTF-8 at byte offset 3");
        QTest::addRow("surrogate") << QByteArray("a\xed\xa0\x80") << QStringLiteral("invalid UTF-8 at byte offset 1");
        QTest::addRow("overlong") << QByteArray("\xc0\xaf") << QStringLiteral("invalid UTF-8 at byte offset 0");
    }
    void rejectsBadFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        test::TempDir dir;
        const auto file = dir / "corpus.txt";
        test::writeFile(file, content.toStdString());
        try {
            readCorpusFile(file);
            QFAIL("no error");
        } catch (const Error& error) {
            QCOMPARE(error.kind(), ErrorKind::InvalidFile);
            const auto message = QString::fromStdString(error.what());
            QVERIFY2(message.contains(QString::fromStdString(file.string())), qPrintable(message));
            QVERIFY2(message.contains(expected), qPrintable(message));
        }
    }

    void rejectsMissingFileAndFolder()
    {
        test::TempDir dir;
        QVERIFY_THROWS_EXCEPTION(Error, readCorpusFile(dir / "nope.txt"));
        try {
            readCorpusDocuments({dir / "nope.txt"});
            QFAIL("no error");
        } catch (const Error& error) {
            QVERIFY(QString::fromUtf8(error.what()).contains(QStringLiteral("does not exist")));
        }
        QVERIFY_THROWS_EXCEPTION(Error, readCorpusFile(dir.path()));
        QVERIFY_THROWS_EXCEPTION(Error, readCorpusDocuments({}));
    }

    void readsValidUnicode()
    {
        test::TempDir dir;
        const std::string text = "Ἐν ἀρχῇ ἦν ὁ λόγος 🙂\r\nzero\xe2\x80\x8bwidth\n";
        test::writeFile(dir / "a.txt", text);
        QCOMPARE(readCorpusFile(dir / "a.txt"), text);
    }

    void splitsDocuments_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("documents");
        QTest::addRow("one") << QStringLiteral("a b\nc") << QStringList{QStringLiteral("a b\nc")};
        QTest::addRow("two") << QStringLiteral("a\nb\n\nc\n") << QStringList{QStringLiteral("a\nb\n"), QStringLiteral("c\n")};
        QTest::addRow("many blank lines") << QStringLiteral("\n\n a\n \t\n\r\n\nb") << QStringList{QStringLiteral(" a\n"), QStringLiteral("b")};
        QTest::addRow("only blank") << QStringLiteral("\n \n") << QStringList{};
    }
    void splitsDocuments()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, documents);
        const auto got = splitDocuments(text.toStdString());
        QStringList actual;
        for (const auto& d : got)
            actual << QString::fromStdString(d);
        QCOMPARE(actual, documents);
    }

    void concatenatesFilesInOrder()
    {
        test::TempDir dir;
        test::writeFile(dir / "1.txt", "one\n\ntwo\n");
        test::writeFile(dir / "2.txt", "three");
        const auto docs = readCorpusDocuments({dir / "1.txt", dir / "2.txt"});
        QCOMPARE(docs.size(), size_t(3));
        QCOMPARE(docs[2], std::string("three"));
        test::writeFile(dir / "3.txt", "");
        QVERIFY_THROWS_EXCEPTION(Error, readCorpusDocuments({dir / "1.txt", dir / "3.txt"}));
    }
};

QTEST_APPLESS_MAIN(TestCorpusReader)
#include "test_corpus_reader.moc"
