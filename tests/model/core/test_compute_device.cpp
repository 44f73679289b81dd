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
