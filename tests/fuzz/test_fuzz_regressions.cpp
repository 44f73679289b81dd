// Every input that ever crashed, hung or leaked in a fuzz harness (tests/fuzz/) is kept in
// tests/data/fuzz-regressions/<target>/ and replayed here, in the normal suite: the engine must
// refuse each with a clean lorsa::Error (under the asan preset, also without any memory error).

#include "model/core/error.h"
#include "tests/fuzz/fuzz_targets.h"

#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace lorsa;

namespace {

std::filesystem::path regressionDir()
{
    return std::filesystem::path(qEnvironmentVariable("LORSA_TEST_DATA").toStdString()) / "fuzz-regressions";
}

} // namespace

class TestFuzzRegressions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void foldersNameTargets()
    {
        QVERIFY(std::filesystem::is_directory(regressionDir()));
        const auto known = fuzz::targetNames();
        for (const auto& entry : std::filesystem::directory_iterator(regressionDir()))
            if (entry.is_directory())
                QVERIFY2(std::find(known.begin(), known.end(), entry.path().filename().string()) != known.end(),
                         qPrintable(QStringLiteral("%1 is not a fuzz target").arg(QString::fromStdString(entry.path().string()))));
    }

    void refusedCleanly_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("file");
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(regressionDir()))
            if (entry.is_regular_file() && entry.path().extension() != ".md")
                files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            const auto target = file.parent_path().filename().string();
            QTest::addRow("%s/%s", target.c_str(), file.filename().string().c_str())
                << QString::fromStdString(target) << QString::fromStdString(file.string());
        }
    }

    void refusedCleanly()
    {
        QFETCH(QString, target);
        QFETCH(QString, file);
        std::ifstream in(file.toStdString(), std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        try {
            fuzz::runTarget(target.toStdString(), reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
            QFAIL("accepted: a regression input must be refused");
        } catch (const Error& error) {
            QVERIFY(std::string(error.what()).size() > 0);  // any other exception fails the test
        }
    }
};

QTEST_APPLESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"
