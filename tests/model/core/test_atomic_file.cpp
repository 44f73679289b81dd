#include "model/core/atomic_file.h"
#include "model/core/error.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

#include <stdexcept>

using namespace lorsa;

class TestAtomicFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesAndReplaces()
    {
        test::TempDir dir;
        const auto file = dir / "out.txt";
        writeFileAtomically(file, std::string_view("first"));
        QCOMPARE(test::readFile(file), std::string("first"));
        writeFileAtomically(file, std::string_view("second"));
        QCOMPARE(test::readFile(file), std::string("second"));
        QCOMPARE(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
    }

    void failedWriteKeepsPreviousFile()
    {
        test::TempDir dir;
        const auto file = dir / "out.txt";
        writeFileAtomically(file, std::string_view("intact"));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, writeFileAtomically(file, [](std::ostream& out) {
            out << "partial";
            throw std::runtime_error("interrupted");
        }));
        QCOMPARE(test::readFile(file), std::string("intact"));
        QCOMPARE(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
    }

    void unwritableFolderIsAnError()
    {
        QVERIFY_THROWS_EXCEPTION(Error, writeFileAtomically("/nonexistent-folder/x.txt", std::string_view("x")));
    }
};

QTEST_APPLESS_MAIN(TestAtomicFile)
#include "test_atomic_file.moc"
