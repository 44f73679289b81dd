#include "model/core/error.h"
#include "model/tokenizer/tokenizer.h"
#include "tests/model/tokenizer/tokenizer_test_data.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

#include <fstream>
#include <functional>

using namespace lorsa;
using Edit = std::function<void(nlohmann::json&)>;
Q_DECLARE_METATYPE(std::string)
Q_DECLARE_METATYPE(Edit)
Q_DECLARE_METATYPE(lorsa::ErrorKind)

class TestTokenizerErrors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void invalidUtf8_data()
    {
        QTest::addColumn<std::string>("text");
        QTest::addColumn<QString>("offset");
        QTest::addRow("lone continuation") << std::string("ab\x80") << QStringLiteral("byte 2");
        QTest::addRow("truncated") << std::string("hello \xE6\x97") << QStringLiteral("byte 6");
        QTest::addRow("overlong") << std::string("\xC0\xAF") << QStringLiteral("byte 0");
        QTest::addRow("surrogate") << std::string("x\xED\xA0\x80") << QStringLiteral("byte 1");
        QTest::addRow("past U+10FFFF") << std::string("\xF4\x90\x80\x80") << QStringLiteral("byte 0");
        QTest::addRow("0xFF") << std::string("ok ok \xFF") << QStringLiteral("byte 6");
    }

    void invalidUtf8()
    {
        QFETCH(std::string, text);
        QFETCH(QString, offset);
        const auto tok = Tokenizer::fromFile(test::tokenizerData("gpt2_style.json"));
        try {
            tok.encode(text);
            QFAIL("no error");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
            QVERIFY2(QString::fromUtf8(e.what()).contains(offset), e.what());
        }
    }

    void malformedFiles_data()
    {
        QTest::addColumn<Edit>("edit");
        QTest::addColumn<lorsa::ErrorKind>("kind");
        QTest::addColumn<QString>("message");
        const auto invalid = ErrorKind::InvalidFile;
        const auto unsupported = ErrorKind::Unsupported;
        QTest::addRow("top level array") << Edit([](auto& j) { j = nlohmann::json::array(); }) << invalid << QStringLiteral("JSON object");
        QTest::addRow("no model") << Edit([](auto& j) { j.erase("model"); }) << invalid << QStringLiteral("model: missing");
        QTest::addRow("no vocab") << Edit([](auto& j) { j["model"].erase("vocab"); }) << invalid << QStringLiteral("vocab: missing");
        QTest::addRow("vocab not object") << Edit([](auto& j) { j["model"]["vocab"] = 3; }) << invalid << QStringLiteral("vocab");
        QTest::addRow("negative id") << Edit([](auto& j) { j["model"]["vocab"]["a"] = -1; }) << invalid << QStringLiteral("out of range");
        QTest::addRow("string id") << Edit([](auto& j) { j["model"]["vocab"]["a"] = "1"; }) << invalid << QStringLiteral("not an integer");
        QTest::addRow("huge id") << Edit([](auto& j) { j["model"]["vocab"]["a"] = 1 << 30; }) << invalid << QStringLiteral("implausibly large");
        QTest::addRow("merge unknown token") << Edit([](auto& j) { j["model"]["merges"].push_back("zzzq \xC4\xA0"); }) << invalid
                                             << QStringLiteral("not in the vocab: \"zzzq\"");
        QTest::addRow("merge result unknown") << Edit([](auto& j) { j["model"]["merges"].push_back("q q"); }) << invalid
                                              << QStringLiteral("\"qq\" is not in the vocab");
        QTest::addRow("merge three parts") << Edit([](auto& j) { j["model"]["merges"].push_back("a b c"); }) << invalid
                                           << QStringLiteral("merges[800]");
        QTest::addRow("merge number") << Edit([](auto& j) { j["model"]["merges"].push_back(7); }) << invalid << QStringLiteral("merges[800]");
        QTest::addRow("WordPiece") << Edit([](auto& j) { j["model"]["type"] = "WordPiece"; }) << unsupported << QStringLiteral("WordPiece");
        QTest::addRow("Unigram") << Edit([](auto& j) { j["model"]["type"] = "Unigram"; }) << unsupported << QStringLiteral("Unigram");
        QTest::addRow("WordLevel") << Edit([](auto& j) { j["model"]["type"] = "WordLevel"; }) << unsupported << QStringLiteral("WordLevel");
        QTest::addRow("bad regex") << Edit([](auto& j) {
            j["pre_tokenizer"] = {{"type", "Sequence"},
                                  {"pretokenizers", {{{"type", "Split"}, {"pattern", {{"Regex", "(\\p{L}+"}}}, {"behavior", "Isolated"}},
                                                     {{"type", "ByteLevel"}, {"use_regex", false}}}}};
        }) << invalid << QStringLiteral("does not compile");
        QTest::addRow("unknown behavior") << Edit([](auto& j) {
            j["pre_tokenizer"] = {{"type", "Sequence"},
                                  {"pretokenizers", {{{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "Sideways"}},
                                                     {{"type", "ByteLevel"}, {"use_regex", false}}}}};
        }) << invalid << QStringLiteral("Sideways");
        QTest::addRow("no byte level") << Edit([](auto& j) { j["pre_tokenizer"] = nullptr; }) << unsupported << QStringLiteral("ByteLevel");
        QTest::addRow("Metaspace") << Edit([](auto& j) { j["pre_tokenizer"] = {{"type", "Metaspace"}}; }) << unsupported
                                   << QStringLiteral("Metaspace");
        QTest::addRow("unknown normalizer") << Edit([](auto& j) { j["normalizer"] = {{"type", "Precompiled"}}; }) << unsupported
                                            << QStringLiteral("Precompiled");
        QTest::addRow("normalizer without type") << Edit([](auto& j) { j["normalizer"] = {{"kind", "NFC"}}; }) << invalid
                                                 << QStringLiteral("type");
        QTest::addRow("deep sequence") << Edit([](auto& j) {
            nlohmann::json n = {{"type", "NFC"}};
            for (int i = 0; i < 40; ++i)
                n = {{"type", "Sequence"}, {"normalizers", {n}}};
            j["normalizer"] = n;
        }) << invalid << QStringLiteral("nested too deeply");
        QTest::addRow("unknown decoder") << Edit([](auto& j) { j["decoder"] = {{"type", "WordPiece"}}; }) << unsupported
                                         << QStringLiteral("decoder");
        QTest::addRow("Roberta post") << Edit([](auto& j) { j["post_processor"] = {{"type", "RobertaProcessing"}}; }) << unsupported
                                      << QStringLiteral("RobertaProcessing");
        QTest::addRow("template unknown special") << Edit([](auto& j) {
            j["post_processor"] = {{"type", "TemplateProcessing"},
                                   {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                                   {"special_tokens", nlohmann::json::object()}};
        }) << invalid << QStringLiteral("\"<s>\" is not in special_tokens");
        QTest::addRow("template id outside vocab") << Edit([](auto& j) {
            j["post_processor"] = {{"type", "TemplateProcessing"},
                                   {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                                   {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {5000}}, {"tokens", {"<s>"}}}}}}};
        }) << invalid << QStringLiteral("5000");
        QTest::addRow("added token empty") << Edit([](auto& j) { j["added_tokens"][0]["content"] = ""; }) << invalid
                                           << QStringLiteral("added_tokens[0].content");
        QTest::addRow("added token id clash") << Edit([](auto& j) { j["added_tokens"][0]["content"] = "a"; }) << invalid
                                              << QStringLiteral("the vocab says");
        QTest::addRow("unk not in vocab") << Edit([](auto& j) { j["model"]["unk_token"] = "<unk>"; }) << invalid << QStringLiteral("unk_token");
        QTest::addRow("dropout") << Edit([](auto& j) { j["model"]["dropout"] = 0.1; }) << unsupported << QStringLiteral("dropout");
    }

    void malformedFiles()
    {
        QFETCH(Edit, edit);
        QFETCH(lorsa::ErrorKind, kind);
        QFETCH(QString, message);
        try {
            test::editedTokenizer("gpt2_style.json", edit);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).startsWith(QStringLiteral("gpt2_style.json: ")), e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
            QCOMPARE(e.kind(), kind);
        }
    }

    void unreadableFiles_data()
    {
        QTest::addColumn<std::string>("content");
        QTest::addColumn<QString>("message");
        QTest::addRow("empty") << std::string() << QStringLiteral("not valid JSON");
        QTest::addRow("truncated") << std::string("{\"model\": {\"vocab\": {") << QStringLiteral("not valid JSON");
        QTest::addRow("binary") << std::string("\x00\xFF\xFE garbage", 11) << QStringLiteral("not valid JSON");
        QTest::addRow("bad utf8 in string") << std::string("{\"model\": \"\xFF\"}") << QStringLiteral("not valid JSON");
    }

    void unreadableFiles()
    {
        QFETCH(std::string, content);
        QFETCH(QString, message);
        test::TempDir dir;
        const auto file = dir / "tokenizer.json";
        std::ofstream(file, std::ios::binary) << content;
        try {
            Tokenizer::fromFile(file);
            QFAIL("no error");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidFile);
            QVERIFY2(QString::fromUtf8(e.what()).contains(QString::fromStdString(file.string())), e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
        }
    }

    void missingFile()
    {
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer::fromFile("/nonexistent/tokenizer.json"));
        test::TempDir dir;
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer::fromFile(dir.path())); // a folder
    }

    void hostileInputsStayBounded()
    {
        const auto tok = Tokenizer::fromFile(test::tokenizerData("llama3_style.json"));
        // A long run without any split point, a long run of spaces and of one emoji.
        const std::string letters(50000, 'a');
        QCOMPARE(tok.decode(tok.encode(letters, false).ids), letters);
        const std::string spaces(50000, ' ');
        QCOMPARE(tok.decode(tok.encode(spaces, false).ids), spaces);
        std::string emoji;
        for (int i = 0; i < 5000; ++i)
            emoji += "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB";
        QCOMPARE(tok.decode(tok.encode(emoji, false).ids), emoji);
        const std::string nul("a\0b", 3);
        QCOMPARE(tok.decode(tok.encode(nul, false).ids), nul);
    }
};

QTEST_APPLESS_MAIN(TestTokenizerErrors)
#include "test_tokenizer_errors.moc"
