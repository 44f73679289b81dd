// The nesting guard that keeps hostile JSON away from nlohmann::json's recursive dump and copies.

#include "model/core/json_nesting.h"

#include <QtTest>

#include <string>

using namespace lorsa;

class TestJsonNesting : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void depth_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<int>("depth");
        QTest::addRow("scalar") << QStringLiteral("42") << 0;
        QTest::addRow("empty object") << QStringLiteral("{}") << 1;
        QTest::addRow("config") << QStringLiteral(R"({"a": [1, {"b": [2]}], "c": {}})") << 4;
        QTest::addRow("brackets in strings") << QStringLiteral("{\"a\": \"[[[{{{\", \"b\": \"\\\"[[\"}") << 1;
        QTest::addRow("escaped backslash ends string") << QStringLiteral("{\"a\": \"\\\\\", \"b\": [[]]}") << 3;
        QTest::addRow("unbalanced closers") << QStringLiteral("]]]}[") << 1;
    }

    void depth()
    {
        QFETCH(QString, json);
        QFETCH(int, depth);
        QCOMPARE(jsonNestingDepth(json.toStdString()), static_cast<std::size_t>(depth));
    }

    void hostileDepthIsMeasuredWithoutRecursion()
    {
        const std::size_t levels = 5'000'000;
        const std::string text = std::string(levels, '[') + std::string(levels, ']');
        QCOMPARE(jsonNestingDepth(text), levels);
        QVERIFY(jsonNestingDepth(text) > kMaxJsonNesting);
    }
};

QTEST_APPLESS_MAIN(TestJsonNesting)
#include "test_json_nesting.moc"
