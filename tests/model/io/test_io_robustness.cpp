#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "tests/model/io/zip_bytes.h"
#include "tests/support/temp_dir.h"

#include <torch/torch.h>

#include <QtTest>

#include <functional>
#include <random>

using namespace lorsa;

namespace {

using Opener = std::function<std::unique_ptr<TensorSource>(const std::filesystem::path&)>;

std::filesystem::path dataDir()
{
    return std::filesystem::path(qEnvironmentVariable("LORSA_TEST_DATA").toStdString()) / "io";
}

// One random corruption: flip bits, overwrite with 0x00/0xff, truncate, or insert bytes.
std::string mutate(std::string bytes, std::mt19937& random)
{
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
        const size_t at = random() % bytes.size();
        switch (random() % 5) {
        case 0: bytes[at] = static_cast<char>(bytes[at] ^ (1 << (random() % 8))); break;
        case 1: bytes[at] = static_cast<char>(random() % 2 ? 0xff : 0x00); break;
        case 2: bytes[at] = static_cast<char>(random()); break;
        case 3: bytes.resize(at); break;
        default: bytes.insert(at, std::string(1 + random() % 8, static_cast<char>(random()))); break;
        }
    }
    return bytes;
}

// Opens and fully loads; true when it loaded, false on lorsa::Error. Anything else fails the test.
bool openAndLoadAll(const Opener& open, const std::filesystem::path& file)
{
    try {
        const auto source = open(file);
        for (const auto& name : source->names()) {
            const auto info = source->info(name);
            const auto tensor = source->load(name);
            if (tensor.sizes().vec() != info.shape)
                throw std::logic_error("shape differs from info() for " + name);
            tensor.sum();  // touches every byte
        }
        return true;
    } catch (const Error&) {
        return false;
    }
}

} // namespace

class TestIoRobustness : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void corruptFilesLoadOrThrow_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("seed");
        QTest::addRow("safetensors") << "safetensors" << 11;
        QTest::addRow("torch zip state_dict") << "state_dict.pth" << 12;
        QTest::addRow("torch zip plain_dict") << "plain_dict.pth" << 13;
        QTest::addRow("torch zip cuda_state") << "cuda_state.pth" << 14;
        QTest::addRow("pickle inside a valid zip") << "pickle" << 15;
    }
    void corruptFilesLoadOrThrow()
    {
        QFETCH(QString, kind);
        QFETCH(int, seed);
        const auto what = kind.toStdString();
        test::TempDir dir;
        std::string original;
        Opener open = openTorchZip;
        test::ZipRecords records;
        if (what == "safetensors") {
            const auto file = dir / "valid.safetensors";
            writeSafetensors(file, {{"a", torch::randn({3, 4})}, {"b", torch::arange(5)}, {"c", torch::ones({2}, torch::kBool)},
                                    {"d", torch::randn({2, 2}).to(torch::kBFloat16)}},
                             {{"k", "v"}});
            original = test::readFile(file);
            open = openSafetensors;
        } else if (what == "pickle") {
            // Mutating data.pkl and re-packing with a fresh CRC reaches the pickle reader itself.
            records = test::readZipRecords((dataDir() / "plain_dict.pth").string());
        } else {
            original = test::readFile(dataDir() / what);
        }
        std::mt19937 random(static_cast<unsigned>(seed));
        const auto file = dir / "mutated";
        int loaded = 0;
        int refused = 0;
        for (int attempt = 0; attempt < 1500; ++attempt) {
            if (what == "pickle") {
                auto mutated = records;
                for (auto& [name, data] : mutated)
                    if (name.ends_with("data.pkl"))
                        data = mutate(data, random);
                test::writeFile(file, test::zipBytes(mutated));
            } else {
                test::writeFile(file, mutate(original, random));
            }
            (openAndLoadAll(open, file) ? loaded : refused)++;
        }
        qInfo("%s: %d loaded, %d refused", qPrintable(kind), loaded, refused);
        QVERIFY(refused > 0);
    }
};

QTEST_APPLESS_MAIN(TestIoRobustness)
#include "test_io_robustness.moc"
