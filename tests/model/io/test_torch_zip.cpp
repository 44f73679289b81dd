#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "tests/model/io/zip_bytes.h"
#include "tests/support/temp_dir.h"

#include <torch/torch.h>

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace lorsa;
using namespace std::string_literals;  // pickles below hold NUL bytes

namespace {

std::filesystem::path dataDir()
{
    return std::filesystem::path(qEnvironmentVariable("LORSA_TEST_DATA").toStdString()) / "io";
}

const std::map<std::string, std::string> kDtypeNames{{"float32", "F32"}, {"float16", "F16"}, {"bfloat16", "BF16"},
                                                     {"int64", "I64"},   {"bool", "BOOL"},   {"float64", "F64"}};

std::string valid(int64_t numel = 6)
{
    return test::stateDictPickle("FloatStorage", "0", numel, 0, {2, 3}, {3, 1});
}

std::string floats(int count)
{
    std::string bytes;
    for (int i = 0; i < count; ++i) {
        const float value = static_cast<float>(i) + 0.5f;
        bytes.append(reinterpret_cast<const char*>(&value), 4);
    }
    return bytes;
}

} // namespace

class TestTorchZip : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsRealArchives_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addRow("module state_dict (OrderedDict with _metadata)") << "state_dict.pth";
        QTest::addRow("plain dict, several dtypes, views") << "plain_dict.pth";
        QTest::addRow("nested dicts") << "nested.pth";
        QTest::addRow("cuda:0 storages, folder 'final'") << "cuda_state.pth";
    }
    void readsRealArchives()
    {
        QFETCH(QString, file);
        std::ifstream in(dataDir() / "expected.json");
        QVERIFY(in.good());
        const auto expected = nlohmann::json::parse(in).at(file.toStdString());
        const auto source = openTorchZip(dataDir() / file.toStdString());
        std::vector<std::string> names;
        for (const auto& [name, spec] : expected.items())
            names.push_back(name);
        QCOMPARE(source->names(), names);
        for (const auto& [name, spec] : expected.items()) {
            const auto info = source->info(name);
            QCOMPARE(info.dtype, kDtypeNames.at(spec["dtype"].get<std::string>()));
            QCOMPARE(info.shape, spec["shape"].get<std::vector<int64_t>>());
            const auto tensor = source->load(name);
            QCOMPARE(tensor.sizes().vec(), info.shape);
            QVERIFY(tensor.is_contiguous());
            const auto values = spec["values"].get<std::vector<double>>();
            const auto actual = tensor.to(torch::kDouble).flatten();
            QCOMPARE(actual.numel(), static_cast<int64_t>(values.size()));
            for (size_t i = 0; i < values.size(); ++i)
                QVERIFY2(actual[static_cast<int64_t>(i)].item<double>() == values[i], name.c_str());
        }
    }

    void exposesNonTensorValues()
    {
        const auto source = openTorchZip(dataDir() / "plain_dict.pth");
        QCOMPARE(source->metadata(), (std::map<std::string, std::string>{{"lr", "0.5"}, {"name", "run"}, {"step", "12"}}));
        QCOMPARE(openTorchZip(dataDir() / "nested.pth")->metadata(), (std::map<std::string, std::string>{{"epoch", "3"}}));
        QVERIFY(openTorchZip(dataDir() / "state_dict.pth")->metadata().empty());
    }

    void loadedTensorOutlivesTheSource()
    {
        at::Tensor view;
        {
            view = openTorchZip(dataDir() / "plain_dict.pth")->load("view_t");
        }
        QVERIFY(torch::equal(view, torch::arange(24, torch::kFloat).reshape({4, 6}).slice(0, 1).slice(1, 2, 5).t()));
    }

    void readsZip64AndViews()
    {
        test::TempDir dir;
        const auto file = dir / "zip64.pth";
        // A [2,2] view at element offset 1 with strides (2,1) into a 6-float storage.
        test::writeFile(file, test::zipBytes({{"a/data.pkl", test::stateDictPickle("FloatStorage", "0", 6, 1, {2, 2}, {2, 1})},
                                              {"a/data/0", floats(6)},
                                              {"a/byteorder", "little"}},
                                             {.zip64 = true}));
        const auto w = openTorchZip(file)->load("w");
        QVERIFY(torch::equal(w, torch::tensor({1.5f, 2.5f, 3.5f, 4.5f}).view({2, 2})));
    }

    void rejectsHostileArchives_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const auto zip = [](const test::ZipRecords& records, const test::ZipOptions& options = {}) {
            const auto bytes = test::zipBytes(records, options);
            return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
        };
        const auto withPickle = [&](const std::string& pickle, const std::string& storage = floats(6)) {
            return zip({{"archive/data.pkl", pickle}, {"archive/data/0", storage}});
        };
        const auto real = test::readFile(dataDir() / "state_dict.pth");
        const QByteArray realBytes(real.data(), static_cast<qsizetype>(real.size()));
        QByteArray badDirectory = realBytes;
        badDirectory[badDirectory.indexOf(QByteArray("PK\x01\x02", 4)) + 2] = 'X';

        QTest::addRow("empty file") << QByteArray() << "too short for a zip end record";
        QTest::addRow("truncated archive") << realBytes.left(realBytes.size() / 2) << "no end-of-central-directory record";
        QTest::addRow("truncated end record") << realBytes.left(realBytes.size() - 3) << "no end-of-central-directory record";
        QTest::addRow("bad central directory") << badDirectory << "central directory entry 0 is corrupt";
        QTest::addRow("compressed entry") << zip({{"archive/data.pkl", valid()}}, {.method = 8}) << "'archive/data.pkl' is compressed (method 8)";
        QTest::addRow("crc mismatch") << zip({{"archive/data.pkl", valid()}, {"archive/data/0", floats(6)}}, {.badCrc = true}) << "CRC-32 mismatch";
        QTest::addRow("no data.pkl") << zip({{"archive/data/0", floats(6)}}) << "no '<archive>/data.pkl' record";
        QTest::addRow("big-endian") << zip({{"archive/data.pkl", valid()}, {"archive/byteorder", "big"}}) << "byte order 'big'";
        QTest::addRow("os.system global") << withPickle("\x80\x02" "cos\nsystem\nX\x02\x00\x00\x00lsq\x00\x85R."s) << "pickle uses 'os.system' which a state dict never needs";
        QTest::addRow("builtins.eval via STACK_GLOBAL") << withPickle("\x80\x02" "X\x08\x00\x00\x00" "builtinsX\x04\x00\x00\x00" "eval\x93."s) << "pickle uses 'builtins.eval'";
        QTest::addRow("torch.load global") << withPickle("\x80\x02" "ctorch\nload\n.") << "pickle uses 'torch.load'";
        QTest::addRow("NEWOBJ opcode") << withPickle("\x80\x02" "}\x81.") << "pickle uses 'opcode 0x81'";
        QTest::addRow("storage type called") << withPickle("\x80\x02" "ctorch\nFloatStorage\n)R.") << "pickle uses 'torch.FloatStorage()'";
        QTest::addRow("memo out of range") << withPickle("\x80\x02}h\x05.") << "reads memo entry 5 which was never stored";
        QTest::addRow("long memo out of range") << withPickle("\x80\x02}q\x00j\xff\xff\xff\xff."s) << "memo entry 4294967295";
        QTest::addRow("stack underflow") << withPickle("\x80\x02s.") << "pops an empty stack";
        QTest::addRow("pop below mark") << withPickle("\x80\x02}(\x85.") << "pops an empty stack";
        QTest::addRow("no STOP") << withPickle("\x80\x02}") << "ends in the middle of an opcode";
        QTest::addRow("string past end") << withPickle("\x80\x02X\xff\xff\xff\x7f" "abc.") << "ends in the middle of an opcode";
        QTest::addRow("not a dict") << withPickle("\x80\x02]." ) << "not a dict of tensors";
        QTest::addRow("storage key missing") << withPickle(test::stateDictPickle("FloatStorage", "7", 6, 0, {2, 3}, {3, 1}))
                                             << "tensor 'w' refers to storage '7' which the archive does not hold";
        QTest::addRow("view exceeds storage") << withPickle(test::stateDictPickle("FloatStorage", "0", 6, 1, {2, 3}, {3, 1}))
                                              << "tensor 'w' reaches element 6 of storage '0' which holds only 6";
        QTest::addRow("stride exceeds storage") << withPickle(test::stateDictPickle("FloatStorage", "0", 6, 0, {2, 3}, {1, 3}))
                                                << "reaches element 7";
        QTest::addRow("stride overflow") << withPickle(test::stateDictPickle("FloatStorage", "0", 6, 0, {3, 3}, {INT64_MAX, INT64_MAX}))
                                         << "overflows";
        QTest::addRow("storage size mismatch") << withPickle(valid(7)) << "should hold 7 F32 elements but its record has 24 bytes";
        QTest::addRow("storage numel overflow") << withPickle(valid(INT64_MAX)) << "should hold";
        QTest::addRow("negative size") << withPickle(test::stateDictPickle("FloatStorage", "0", 6, 0, {-2, 3}, {3, 1})) << "not a non-negative integer";
        QTest::addRow("size/stride rank mismatch") << withPickle(test::stateDictPickle("FloatStorage", "0", 6, 0, {6}, {1, 1})) << "1 sizes but 2 strides";
        QTest::addRow("unknown storage type") << withPickle(test::stateDictPickle("ComplexFloatStorage", "0", 6, 0, {6}, {1})) << "pickle uses 'torch.ComplexFloatStorage'";
        QTest::addRow("integer wider than 64 bits") << withPickle("\x80\x02\x8a\x09" + std::string(9, '\x01') + ".") << "wider than 64 bits";
    }
    void rejectsHostileArchives()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        test::TempDir dir;
        const auto file = dir / "hostile.pth";
        test::writeFile(file, bytes.toStdString());
        try {
            openTorchZip(file);
            QFAIL("no error");
        } catch (const Error& error) {
            const std::string message = error.what();
            QVERIFY2(message.rfind(file.string() + ": ", 0) == 0, message.c_str());
            QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
        }
    }

    void missingTensorIsNamed()
    {
        const auto source = openTorchZip(dataDir() / "state_dict.pth");
        QVERIFY(!source->contains("_metadata"));
        QVERIFY_THROWS_EXCEPTION(Error, source->load("linear.nope"));
        QVERIFY_THROWS_EXCEPTION(Error, source->info("linear.nope"));
    }
};

QTEST_APPLESS_MAIN(TestTorchZip)
#include "test_torch_zip.moc"
