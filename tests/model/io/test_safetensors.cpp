#include "model/core/error.h"
#include "model/io/tensor_source.h"
#include "tests/model/io/safetensors_bytes.h"
#include "tests/support/temp_dir.h"

#include <torch/torch.h>

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace lorsa;

namespace {

const std::string kTwoFloats = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

std::string messageOf(const std::function<void()>& action, ErrorKind* kind = nullptr)
{
    try {
        action();
    } catch (const Error& error) {
        if (kind)
            *kind = error.kind();
        return error.what();
    }
    return {};
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripsEveryDtype_data()
    {
        QTest::addColumn<int>("scalar");
        QTest::addColumn<QString>("name");
        QTest::addRow("F64") << int(at::kDouble) << "F64";
        QTest::addRow("F32") << int(at::kFloat) << "F32";
        QTest::addRow("F16") << int(at::kHalf) << "F16";
        QTest::addRow("BF16") << int(at::kBFloat16) << "BF16";
        QTest::addRow("I64") << int(at::kLong) << "I64";
        QTest::addRow("I32") << int(at::kInt) << "I32";
        QTest::addRow("I16") << int(at::kShort) << "I16";
        QTest::addRow("I8") << int(at::kChar) << "I8";
        QTest::addRow("U8") << int(at::kByte) << "U8";
        QTest::addRow("BOOL") << int(at::kBool) << "BOOL";
    }
    void roundTripsEveryDtype()
    {
        QFETCH(int, scalar);
        QFETCH(QString, name);
        const auto dtype = static_cast<at::ScalarType>(scalar);
        torch::manual_seed(7);
        // Values exactly representable in every type: small signed integers (0/1 for bool).
        auto values = torch::randint(-100, 100, {3, 5}, torch::kLong);
        if (dtype == at::kBool || dtype == at::kByte)
            values = values.abs() % (dtype == at::kBool ? 2 : 200);
        const auto matrix = values.to(dtype);
        const auto odd = values.flatten().slice(0, 0, 7).to(dtype);          // [7]: breaks 8-alignment of what follows
        const auto transposed = values.to(dtype).t();                         // non-contiguous input
        const auto empty = torch::zeros({0, 4}, torch::TensorOptions().dtype(dtype));
        const auto scalarTensor = values[1][2].to(dtype);                    // shape []

        test::TempDir dir;
        const auto file = dir / "t.safetensors";
        writeSafetensors(file, {{"m", matrix}, {"odd", odd}, {"t", transposed}, {"e", empty}, {"s", scalarTensor}},
                         {{"format", "pt"}, {"note", "ü"}});
        const auto source = openSafetensors(file);
        QCOMPARE(source->names(), (std::vector<std::string>{"e", "m", "odd", "s", "t"}));
        QCOMPARE(source->metadata(), (std::map<std::string, std::string>{{"format", "pt"}, {"note", "ü"}}));
        QCOMPARE(source->info("m").dtype, name.toStdString());
        QCOMPARE(source->info("t").shape, (std::vector<int64_t>{5, 3}));
        QCOMPARE(source->info("e").shape, (std::vector<int64_t>{0, 4}));
        QCOMPARE(source->info("s").shape, std::vector<int64_t>{});
        for (const auto& [key, expected] : std::vector<std::pair<std::string, at::Tensor>>{
                 {"m", matrix}, {"odd", odd}, {"t", transposed}, {"e", empty}, {"s", scalarTensor}}) {
            const auto loaded = source->load(key);
            QCOMPARE(loaded.scalar_type(), dtype);
            QCOMPARE(loaded.sizes().vec(), expected.sizes().vec());
            QVERIFY2(torch::equal(loaded, expected), key.c_str());
        }
    }

    void writesTheRustLayout()
    {
        test::TempDir dir;
        const auto file = dir / "layout.safetensors";
        writeSafetensors(file, {{"z", torch::arange(3, torch::kFloat)}, {"a", torch::arange(2, torch::kLong)}}, {{"k", "v"}});
        const auto bytes = test::readFile(file);
        uint64_t length = 0;
        for (int i = 7; i >= 0; --i)
            length = (length << 8) | static_cast<uint8_t>(bytes[static_cast<size_t>(i)]);
        QCOMPARE(length % 8, uint64_t(0));
        QCOMPARE(bytes.size(), size_t(8 + length + 12 + 16));
        const auto header = nlohmann::json::parse(bytes.substr(8, length));
        QCOMPARE(header["__metadata__"]["k"].get<std::string>(), std::string("v"));
        // Data laid out in the caller's order, contiguously.
        QCOMPARE(header["z"]["data_offsets"], nlohmann::json::parse("[0,12]"));
        QCOMPARE(header["a"]["data_offsets"], nlohmann::json::parse("[12,28]"));
        QCOMPARE(header["a"]["dtype"].get<std::string>(), std::string("I64"));
    }

    void loadedTensorOutlivesTheSource()
    {
        test::TempDir dir;
        const auto file = dir / "alive.safetensors";
        const auto expected = torch::randn({64, 64});
        writeSafetensors(file, {{"w", expected}});
        at::Tensor loaded;
        {
            const auto source = openSafetensors(file);
            loaded = source->load("w");
        }
        std::filesystem::remove(file);  // the mapping keeps the bytes
        QVERIFY(torch::equal(loaded, expected));
    }

    void misalignedDataIsCopied()
    {
        // Header of 13 bytes: data starts at byte 21, so the float and the int64 are misaligned.
        const std::string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                   "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[4,12]}}";
        std::string data = test::floatBytes({2.5f});
        data += std::string("\x07\x00\x00\x00\x00\x00\x00\x01", 8);
        test::TempDir dir;
        const auto file = dir / "odd.safetensors";
        test::writeFile(file, test::safetensorsBytes(header + " ", data));
        const auto source = openSafetensors(file);
        QCOMPARE(source->load("a").item<float>(), 2.5f);
        QCOMPARE(source->load("b").item<int64_t>(), (int64_t(1) << 56) + 7);
        QCOMPARE(reinterpret_cast<uintptr_t>(source->load("b").data_ptr()) % 8, uintptr_t(0));
    }

    void boolBytesAreNormalised()
    {
        const std::string header = "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}";
        test::TempDir dir;
        const auto file = dir / "bool.safetensors";
        test::writeFile(file, test::safetensorsBytes(header, std::string("\x00\x02\xff", 3)));
        const auto mask = openSafetensors(file)->load("m");
        QCOMPARE(mask.to(torch::kLong).sum().item<int64_t>(), int64_t(2));
        QVERIFY(torch::equal(mask.logical_not(), torch::tensor({true, false, false})));
    }

    void dtypeWithoutTorchTypeIsUnsupportedOnLoadOnly()
    {
        const std::string header = "{\"u\":{\"dtype\":\"U32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                   "\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        test::TempDir dir;
        const auto file = dir / "u32.safetensors";
        test::writeFile(file, test::safetensorsBytes(header, test::floatBytes({1, 2, 3, 4})));
        const auto source = openSafetensors(file);
        QCOMPARE(source->info("u").dtype, std::string("U32"));
        QCOMPARE(source->load("f")[1].item<float>(), 4.0f);
        ErrorKind kind{};
        QVERIFY(messageOf([&] { source->load("u"); }, &kind).find("U32") != std::string::npos);
        QCOMPARE(kind, ErrorKind::Unsupported);
    }

    void missingTensorIsNamed()
    {
        test::TempDir dir;
        const auto file = dir / "one.safetensors";
        writeSafetensors(file, {{"a", torch::ones({2})}});
        const auto source = openSafetensors(file);
        QVERIFY(!source->contains("b"));
        const auto message = messageOf([&] { source->load("b"); });
        QVERIFY2(message.find("one.safetensors: no tensor named 'b'") != std::string::npos, message.c_str());
        QVERIFY(!messageOf([&] { source->info("b"); }).empty());
    }

    void rejectsHostileFiles_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const auto file = [](const std::string& header, const std::string& data) {
            const auto bytes = test::safetensorsBytes(header, data);
            return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
        };
        const auto one = [&](const std::string& dtype, const std::string& shape, const std::string& offsets, size_t dataBytes) {
            return file("{\"x\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}",
                        std::string(dataBytes, '\0'));
        };
        const auto valid = test::safetensorsBytes(kTwoFloats, test::floatBytes({1, 2}));
        QTest::addRow("empty file") << QByteArray() << "shorter than the 8-byte";
        QTest::addRow("truncated length") << QByteArray("\x10\x00\x00", 3) << "shorter than the 8-byte";
        QTest::addRow("truncated data") << QByteArray(valid.data(), static_cast<qsizetype>(valid.size() - 1)) << "outside the data region";
        QTest::addRow("truncated header") << QByteArray(valid.data(), 20) << "runs past the end";
        QTest::addRow("header longer than file") << QByteArray("\xff\x00\x00\x00\x00\x00\x00\x00{}", 10) << "runs past the end";
        QTest::addRow("absurd header length") << QByteArray("\x00\x00\x00\x00\x00\x01\x00\x00{}", 10) << "implausibly large";
        QTest::addRow("header not JSON") << file("{\"x\": nope}", "") << "not valid JSON";
        QTest::addRow("header bad UTF-8") << file("{\"\xff\":{}}", "") << "not valid JSON";
        QTest::addRow("header an array") << file("[1,2]", "") << "not a JSON object";
        QTest::addRow("tensor not object") << file("{\"x\":3}", "") << "tensor 'x' is not described";
        QTest::addRow("dtype missing") << file("{\"x\":{\"shape\":[],\"data_offsets\":[0,0]}}", "") << "tensor 'x' has no string 'dtype'";
        QTest::addRow("shape missing") << file("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", "    ") << "no array 'shape'";
        QTest::addRow("offsets not a pair") << one("F32", "[1]", "[0]", 4) << "no 'data_offsets' pair";
        QTest::addRow("unknown dtype") << one("F99", "[1]", "[0,4]", 4) << "unknown dtype 'F99'";
        QTest::addRow("negative shape") << one("F32", "[-1]", "[0,4]", 4) << "not a non-negative integer";
        QTest::addRow("fractional shape") << one("F32", "[1.5]", "[0,4]", 4) << "not a non-negative integer";
        QTest::addRow("string shape") << one("F32", "[\"1\"]", "[0,4]", 4) << "not a non-negative integer";
        QTest::addRow("negative offset") << one("F32", "[1]", "[-4,0]", 4) << "not a non-negative integer";
        QTest::addRow("offsets reversed") << one("F32", "[0]", "[4,0]", 4) << "end before they begin";
        QTest::addRow("offsets outside data") << one("F32", "[2]", "[4,12]", 8) << "outside the data region";
        QTest::addRow("offsets past 2^64") << one("F32", "[1]", "[18446744073709551615,18446744073709551619]", 4) << "not a non-negative integer";
        QTest::addRow("shape size mismatch") << one("F32", "[3]", "[0,8]", 8) << "does not match its 8 bytes";
        QTest::addRow("size overflow") << one("F32", "[4611686018427387904,4]", "[0,0]", 0) << "size overflows";
        QTest::addRow("element count overflow") << one("F32", "[0,4294967296,4294967296]", "[0,0]", 0) << "size overflows";
        QTest::addRow("overlap") << file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                         "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                                         std::string(12, '\0'))
                                 << "tensors 'a' and 'b' overlap";
        QTest::addRow("metadata not strings") << file("{\"__metadata__\":{\"n\":3}}", "") << "__metadata__ entry 'n' is not a string";
        QTest::addRow("metadata not object") << file("{\"__metadata__\":[]}", "") << "__metadata__ is not an object";
    }
    void rejectsHostileFiles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        test::TempDir dir;
        const auto file = dir / "hostile.safetensors";
        test::writeFile(file, bytes.toStdString());
        ErrorKind kind{};
        const auto message = messageOf([&] { openSafetensors(file); }, &kind);
        QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
        QVERIFY2(message.rfind(file.string(), 0) == 0, message.c_str());
        QCOMPARE(kind, ErrorKind::InvalidFile);
    }

    void missingFileIsAnError()
    {
        const auto message = messageOf([] { openSafetensors("/nonexistent/x.safetensors"); });
        QVERIFY2(message.find("/nonexistent/x.safetensors: cannot open") == 0, message.c_str());
    }

    void writerRejectsDuplicatesAndUnsupportedTypes()
    {
        test::TempDir dir;
        QVERIFY(!messageOf([&] { writeSafetensors(dir / "d.safetensors", {{"a", torch::ones(1)}, {"a", torch::ones(1)}}); }).empty());
        QVERIFY(!messageOf([&] { writeSafetensors(dir / "c.safetensors", {{"c", torch::ones(1, torch::kComplexFloat)}}); }).empty());
        QVERIFY(!std::filesystem::exists(dir / "d.safetensors"));
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
