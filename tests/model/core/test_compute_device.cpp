#include <torch/torch.h>

#include "model/core/compute_device.h"
#include "model/core/error.h"

#include <QtTest>

using namespace lorsa;

class TestComputeDevice : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesCpuAndAuto()
    {
        QCOMPARE(parseDevice("cpu").type(), at::kCPU);
        QCOMPARE(parseDevice("CPU").type(), at::kCPU);
        const auto automatic = parseDevice("auto");
        QCOMPARE(automatic.is_cuda(), torch::cuda::is_available());
    }

    void refusesUnknownDevice()
    {
        QVERIFY_THROWS_EXCEPTION(Error, parseDevice("tpu"));
    }

    void refusesCudaWithoutGpu()
    {
        if (torch::cuda::is_available())
            QSKIP("a GPU is present");
        try {
            parseDevice("cuda");
            QFAIL("expected an error");
        } catch (const Error& error) {
            QCOMPARE(error.kind(), ErrorKind::Device);
            QVERIFY(std::string(error.what()).find("no CUDA GPU") != std::string::npos);
        }
    }

    void parsesDtypes_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("expected");
        QTest::addRow("float32") << QStringLiteral("float32") << int(at::kFloat);
        QTest::addRow("fp32") << QStringLiteral("fp32") << int(at::kFloat);
        QTest::addRow("bfloat16") << QStringLiteral("bfloat16") << int(at::kBFloat16);
        QTest::addRow("bf16") << QStringLiteral("BF16") << int(at::kBFloat16);
    }
    void parsesDtypes()
    {
        QFETCH(QString, name);
        QFETCH(int, expected);
        QCOMPARE(int(parseDtype(name.toStdString(), at::Device(at::kCPU))), expected);
    }

    void refusesFloat16OnCpu()
    {
        try {
            parseDtype("float16", at::Device(at::kCPU));
            QFAIL("expected an error");
        } catch (const Error& error) {
            QVERIFY(std::string(error.what()).find("bfloat16") != std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(Error, parseDtype("int8", at::Device(at::kCPU)));
    }

    // "auto" asks for the checkpoint's dtype only where it could matter (CUDA), and takes it only
    // when it is bfloat16; a named dtype never looks at the checkpoint.
    void choosesTheRunDtype_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("cuda");
        QTest::addColumn<int>("stored");
        QTest::addColumn<int>("expected");
        QTest::addColumn<bool>("asksStored");
        QTest::addRow("auto, cpu, bf16 file") << QStringLiteral("auto") << false << int(at::kBFloat16) << int(at::kFloat) << false;
        QTest::addRow("auto, cuda, bf16 file") << QStringLiteral("AUTO") << true << int(at::kBFloat16) << int(at::kBFloat16) << true;
        QTest::addRow("auto, cuda, f16 file") << QStringLiteral("auto") << true << int(at::kHalf) << int(at::kFloat) << true;
        QTest::addRow("auto, cuda, f32 file") << QStringLiteral("auto") << true << int(at::kFloat) << int(at::kFloat) << true;
        QTest::addRow("float32, cuda, bf16 file") << QStringLiteral("float32") << true << int(at::kBFloat16) << int(at::kFloat) << false;
        QTest::addRow("bf16, cpu, f32 file") << QStringLiteral("bf16") << false << int(at::kFloat) << int(at::kBFloat16) << false;
        QTest::addRow("float16, cuda, f32 file") << QStringLiteral("float16") << true << int(at::kFloat) << int(at::kHalf) << false;
    }
    void choosesTheRunDtype()
    {
        QFETCH(QString, name);
        QFETCH(bool, cuda);
        QFETCH(int, stored);
        QFETCH(int, expected);
        QFETCH(bool, asksStored);
        bool asked = false;
        const auto storedDtype = [&] {
            asked = true;
            return static_cast<at::ScalarType>(stored);
        };
        const auto device = cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
        QCOMPARE(int(chooseDtype(name.toStdString(), device, storedDtype)), expected);
        QCOMPARE(asked, asksStored);
    }

    void chooseDtypeRefusesWhatParseDtypeRefuses()
    {
        const auto never = []() -> at::ScalarType { throw std::logic_error("the checkpoint was read"); };
        QVERIFY_THROWS_EXCEPTION(Error, chooseDtype("float16", at::Device(at::kCPU), never));
        try {
            chooseDtype("int8", at::Device(at::kCUDA, 0), never);
            QFAIL("expected an error");
        } catch (const Error& error) {
            QVERIFY2(std::string(error.what()).find("expected auto, float32") != std::string::npos, error.what());
        }
    }

    void configuresThreads()
    {
        const auto line = configureCpuThreads(1);
        QCOMPARE(at::get_num_threads(), 1);
        QVERIFY(line.find("BLAS") != std::string::npos);
        configureCpuThreads(0);
        QVERIFY(at::get_num_threads() >= 1);
    }
};

QTEST_APPLESS_MAIN(TestComputeDevice)
#include "test_compute_device.moc"
