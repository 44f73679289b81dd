#include "model/core/error.h"
#include "model/tokenizer/tokenizer.h"
#include "tests/model/tokenizer/tokenizer_test_data.h"

#include <QtTest>

#include <algorithm>

using namespace lorsa;
using Spans = std::vector<std::pair<int64_t, int64_t>>;
Q_DECLARE_METATYPE(std::string)
Q_DECLARE_METATYPE(std::vector<int64_t>)
Q_DECLARE_METATYPE(Spans)

namespace {

const char* const kTokenizers[] = {"gpt2_style", "llama3_style", "llama3_nfc", "qwen2_style"};

const Tokenizer& loaded(const std::string& name)
{
    static std::map<std::string, Tokenizer> cache;
    auto it = cache.find(name);
    if (it == cache.end())
        it = cache.emplace(name, Tokenizer::fromFile(test::tokenizerData(name + ".json"))).first;
    return it->second;
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Expected ids come from @huggingface/tokenizers (tests/data/tokenizers/generate.cjs).
    void matchesReference_data()
    {
        QTest::addColumn<std::string>("tokenizer");
        QTest::addColumn<std::string>("text");
        QTest::addColumn<std::vector<int64_t>>("ids");
        QTest::addColumn<bool>("hasOffsets");
        QTest::addColumn<Spans>("offsets");
        for (const char* name : kTokenizers) {
            const auto cases = test::readJson(test::tokenizerData(std::string(name) + ".expected.json"));
            QVERIFY(cases.size() >= 50);
            for (std::size_t i = 0; i < cases.size(); ++i) {
                const auto& c = cases[i];
                Spans offsets;
                if (!c["offsets"].is_null())
                    for (const auto& o : c["offsets"])
                        offsets.emplace_back(o[0].get<int64_t>(), o[1].get<int64_t>());
                QTest::addRow("%s/%zu", name, i) << std::string(name) << c["text"].get<std::string>()
                                                 << c["ids"].get<std::vector<int64_t>>() << !c["offsets"].is_null() << offsets;
            }
        }
    }

    void matchesReference()
    {
        QFETCH(std::string, tokenizer);
        QFETCH(std::string, text);
        QFETCH(std::vector<int64_t>, ids);
        QFETCH(bool, hasOffsets);
        QFETCH(Spans, offsets);
        const auto& tok = loaded(tokenizer);
        const auto encoding = tok.encode(text, true);
        QCOMPARE(encoding.ids, ids);
        QCOMPARE(encoding.byteSpans.size(), ids.size());
        if (hasOffsets) {
            QCOMPARE(encoding.byteSpans, offsets);
            // Without normalisation changes the tokens spell the text back exactly.
            QCOMPARE(tok.decode(tok.encode(text, false).ids), text);
        }
        for (std::size_t i = 0; i < encoding.byteSpans.size(); ++i) {
            const auto [begin, end] = encoding.byteSpans[i];
            QVERIFY(0 <= begin && begin <= end && end <= static_cast<int64_t>(text.size()));
            if (i > 0 && begin > 0)
                QVERIFY(begin >= encoding.byteSpans[i - 1].first);
        }
        // addSpecialTokens=false drops exactly the post-processor's BOS.
        auto withoutSpecial = ids;
        if (tok.bosId() && !withoutSpecial.empty() && withoutSpecial.front() == *tok.bosId())
            withoutSpecial.erase(withoutSpecial.begin());
        QCOMPARE(tok.encode(text, false).ids, withoutSpecial);
    }

    void vocabularyFacts()
    {
        const auto& gpt2 = loaded("gpt2_style");
        const auto& llama = loaded("llama3_style");
        QCOMPARE(gpt2.vocabSize(), 1057);
        QCOMPARE(llama.vocabSize(), 1070 + 7);
        QVERIFY(!gpt2.bosId());
        QCOMPARE(llama.bosId(), llama.tokenToId("<|begin_of_text|>"));
        QCOMPARE(*llama.bosId(), 1070);
        QVERIFY(gpt2.isSpecial(*gpt2.tokenToId("<|endoftext|>")));
        QVERIFY(!gpt2.isSpecial(*gpt2.tokenToId("a")));
        QVERIFY(!llama.isSpecial(*llama.tokenToId("[TOOL]")));
        QCOMPARE(gpt2.idToToken(220), std::optional<std::string>("\xC4\xA0"));
        QCOMPARE(gpt2.tokenToId("\xC4\xA0"), std::optional<int64_t>(220));
        QVERIFY(!gpt2.idToToken(-1));
        QVERIFY(!gpt2.idToToken(1 << 20));
        QVERIFY(!gpt2.tokenToId("no such token"));
        QCOMPARE(gpt2.tokenText(220), std::string(" "));
        QCOMPARE(gpt2.tokenText(*gpt2.tokenToId("<|endoftext|>")), std::string("<|endoftext|>"));
    }

    // Qwen3's layout: added tokens right after the BPE vocabulary, <tool_call> onwards not
    // special, and no BOS from the (ByteLevel) post-processor.
    void qwenAddedTokens()
    {
        const auto& tok = loaded("qwen2_style");
        QCOMPARE(tok.vocabSize(), 1293 + 26);
        QVERIFY(!tok.bosId());
        QCOMPARE(tok.tokenToId("<|endoftext|>"), std::optional<int64_t>(1293));
        QCOMPARE(tok.tokenToId("</think>"), std::optional<int64_t>(1293 + 25));
        QVERIFY(tok.isSpecial(*tok.tokenToId("<|im_end|>")));
        QVERIFY(tok.isSpecial(*tok.tokenToId("<|video_pad|>")));
        QVERIFY(!tok.isSpecial(*tok.tokenToId("<tool_call>")));
        QVERIFY(!tok.isSpecial(*tok.tokenToId("<think>")));
        const std::string text = "<|im_start|>assistant\n<think>\nok\n</think>\n\nHi<|im_end|>";
        const auto ids = tok.encode(text, true).ids;
        QCOMPARE(tok.encode(text, false).ids, ids);
        QCOMPARE(tok.decode(ids), text);
        QCOMPARE(tok.decode(ids, true), std::string("assistant\n<think>\nok\n</think>\n\nHi"));
        // Every digit is its own pre-token, so no token holds two digits.
        const auto digits = tok.encode("2025 151643 3.14159", false).ids;
        QCOMPARE(digits.size(), std::size_t{4 + 1 + 6 + 1 + 7}); // a space before a digit stands alone
        for (const auto id : digits) {
            const auto piece = tok.tokenText(id);
            QVERIFY(std::count_if(piece.begin(), piece.end(), [](char c) { return c >= '0' && c <= '9'; }) == 1
                    || piece == " " || piece == ".");
        }
    }

    // (?i:'s) folds case by Unicode in Oniguruma, which the Rust library uses, so "'ſ" (long s)
    // is a contraction and "'ſa" splits after it. tokenizers.js folds ASCII only and would keep
    // "'ſa" whole; a merge across the split ("¿ a", the last byte of ſ with "a") shows which.
    void caseInsensitiveContractionFoldsByUnicode()
    {
        const std::string longS = "\xC5\xBF"; // U+017F, bytes shown as "Å¿"
        const auto tok = test::editedTokenizer("qwen2_style.json", [](auto& j) {
            j["model"]["vocab"]["\xC2\xBF" "a"] = 2000; // "¿a"
            j["model"]["merges"].push_back("\xC2\xBF a");
        });
        QCOMPARE(tok.encode("x" + longS + "a", false).ids.back(), int64_t{2000}); // one word: the merge applies
        const auto ids = tok.encode("'" + longS + "a", false).ids;
        QCOMPARE(ids.size(), std::size_t{4}); // "'", the two bytes of ſ, then "a" on its own
        QVERIFY(std::find(ids.begin(), ids.end(), int64_t{2000}) == ids.end());
    }

    void decodeReplacesBrokenUtf8()
    {
        const auto& tok = loaded("gpt2_style");
        const auto emoji = tok.encode("\xF0\x9F\x98\x80", false); // 😀, split into byte tokens
        QVERIFY(emoji.ids.size() >= 2);
        for (const auto& span : emoji.byteSpans) // each partial token spans the whole character
            QCOMPARE(span, std::make_pair(int64_t{0}, int64_t{4}));
        QCOMPARE(tok.tokenText(emoji.ids.front()), std::string("\xEF\xBF\xBD"));
        std::vector<int64_t> reversed(emoji.ids.rbegin(), emoji.ids.rend());
        QVERIFY(tok.decode(reversed).find("\xEF\xBF\xBD") != std::string::npos);
        QCOMPARE(tok.decode({}), std::string());
        QCOMPARE(tok.decode({-5, 1 << 20}), std::string()); // unknown ids are skipped
    }

    void skipSpecialTokens()
    {
        const auto& tok = loaded("llama3_style");
        const auto ids = tok.encode("Hi<|eot_id|> there", true).ids;
        QCOMPARE(tok.decode(ids), std::string("<|begin_of_text|>Hi<|eot_id|> there"));
        QCOMPARE(tok.decode(ids, true), std::string("Hi there"));
    }

    void ignoreMergesEmitsWholeWords()
    {
        const auto& with = loaded("llama3_style");
        const auto without = test::editedTokenizer("llama3_style.json", [](auto& j) { j["model"]["ignore_merges"] = false; });
        const std::string text = " supercalifragilistic";
        QCOMPARE(with.encode(text, false).ids, std::vector<int64_t>{*with.tokenToId("\xC4\xA0supercalifragilistic")});
        QVERIFY(without.encode(text, false).ids.size() > 3);
        QCOMPARE(without.decode(without.encode(text, false).ids), text);
    }

    void normalisationKeepsOriginalSpans()
    {
        const auto& tok = loaded("llama3_nfc");
        const std::string text = "cafe\xCC\x81 ok"; // e + combining acute: NFC composes to é
        const auto enc = tok.encode(text, false);
        QCOMPARE(tok.decode(enc.ids), std::string("caf\xC3\xA9 ok"));
        // The tokens of " ok" point at its original bytes 6..9, after the 3-byte "e + U+0301".
        const auto tail = tok.encode(" ok", false);
        QVERIFY(enc.byteSpans.size() > tail.byteSpans.size());
        for (std::size_t i = 0; i < tail.byteSpans.size(); ++i) {
            const auto& span = enc.byteSpans[enc.byteSpans.size() - tail.byteSpans.size() + i];
            QCOMPARE(span, std::make_pair(tail.byteSpans[i].first + 6, tail.byteSpans[i].second + 6));
        }
        for (const auto& [begin, end] : enc.byteSpans)
            QVERIFY(0 <= begin && begin < end && end <= static_cast<int64_t>(text.size()));
        // The same text already composed gives the same ids.
        QCOMPARE(tok.encode("caf\xC3\xA9 ok", false).ids, enc.ids);
    }

    void addedTokenOptions_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<std::string>("text");
        QTest::addColumn<std::string>("expectedTokens"); // the same text encoded by plain BPE pieces
        QTest::addColumn<Spans>("tokenSpan");           // span of the added token, if matched
        QTest::addRow("lstrip") << QStringLiteral("lstrip") << std::string("a  <|endoftext|> b") << std::string("a") << Spans{{1, 16}};
        QTest::addRow("rstrip") << QStringLiteral("rstrip") << std::string("a <|endoftext|>  b") << std::string("a ") << Spans{{2, 17}};
        QTest::addRow("single word ok") << QStringLiteral("single_word") << std::string("a <|endoftext|> b") << std::string("a ") << Spans{{2, 15}};
        QTest::addRow("single word glued") << QStringLiteral("single_word") << std::string("a<|endoftext|>b") << std::string("") << Spans{};
    }

    void addedTokenOptions()
    {
        QFETCH(QString, option);
        QFETCH(std::string, text);
        QFETCH(std::string, expectedTokens);
        QFETCH(Spans, tokenSpan);
        const auto tok = test::editedTokenizer("gpt2_style.json", [&](auto& j) { j["added_tokens"][0][option.toStdString()] = true; });
        const auto eot = *tok.tokenToId("<|endoftext|>");
        const auto enc = tok.encode(text, false);
        const auto at = std::find(enc.ids.begin(), enc.ids.end(), eot);
        if (tokenSpan.empty()) {
            QVERIFY(at == enc.ids.end());
            QCOMPARE(tok.decode(enc.ids), text);
            return;
        }
        QVERIFY(at != enc.ids.end());
        const auto index = static_cast<std::size_t>(at - enc.ids.begin());
        QCOMPARE(enc.byteSpans[index], tokenSpan.front());
        QCOMPARE(std::vector<int64_t>(enc.ids.begin(), at), tok.encode(expectedTokens, false).ids);
    }

    void addPrefixSpaceAndTrimOffsets()
    {
        const auto& plain = loaded("gpt2_style");
        const auto prefixed = test::editedTokenizer("gpt2_style.json", [](auto& j) {
            j["pre_tokenizer"]["add_prefix_space"] = true;
            j["post_processor"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
        });
        const auto enc = prefixed.encode("Hello world", true);
        QCOMPARE(enc.ids, plain.encode(" Hello world", false).ids);
        QCOMPARE(enc.byteSpans.front().first, int64_t{0}); // the added space maps onto 'H'
        // trim_offsets drops the leading space of "Ġthe" from its span; the first token keeps
        // its single prefix space (add_prefix_space).
        QCOMPARE(plain.encode(" the", false).ids.size(), std::size_t{1});
        const auto the = prefixed.encode("x the", true);
        QCOMPARE(the.byteSpans.back(), std::make_pair(int64_t{2}, int64_t{5}));
        QCOMPARE(plain.encode("x the", false).byteSpans.back(), std::make_pair(int64_t{1}, int64_t{5}));
    }

    void splitBehaviors_data()
    {
        QTest::addColumn<QString>("behavior");
        QTest::addColumn<std::vector<std::string>>("words");
        // Splitting "a-b--c" on "-" then encoding each word as a whole byte-level BPE word.
        QTest::addRow("Removed") << QStringLiteral("Removed") << std::vector<std::string>{"a", "b", "c"};
        QTest::addRow("Isolated") << QStringLiteral("Isolated") << std::vector<std::string>{"a", "-", "b", "-", "-", "c"};
        QTest::addRow("MergedWithPrevious") << QStringLiteral("MergedWithPrevious") << std::vector<std::string>{"a-", "b-", "-", "c"};
        QTest::addRow("MergedWithNext") << QStringLiteral("MergedWithNext") << std::vector<std::string>{"a", "-b", "-", "-c"};
        QTest::addRow("Contiguous") << QStringLiteral("Contiguous") << std::vector<std::string>{"a", "-", "b", "--", "c"};
    }

    void splitBehaviors()
    {
        QFETCH(QString, behavior);
        QFETCH(std::vector<std::string>, words);
        const auto makeTokenizer = [&](bool split) {
            return test::editedTokenizer("gpt2_style.json", [&](auto& j) {
                nlohmann::json byteLevel = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}};
                j["pre_tokenizer"] = split ? nlohmann::json{{"type", "Sequence"},
                                                            {"pretokenizers",
                                                             {{{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", behavior.toStdString()}, {"invert", false}},
                                                              byteLevel}}}
                                           : byteLevel;
            });
        };
        const auto tok = makeTokenizer(true);
        const auto whole = makeTokenizer(false);
        std::vector<int64_t> expected;
        for (const auto& w : words) {
            const auto ids = whole.encode(w, false).ids;
            expected.insert(expected.end(), ids.begin(), ids.end());
        }
        QCOMPARE(tok.encode("a-b--c", false).ids, expected);
    }

    void copiesShareState()
    {
        const auto copy = loaded("llama3_style");
        const Tokenizer moved = std::move(Tokenizer(copy));
        QCOMPARE(moved.encode("Hello world").ids, loaded("llama3_style").encode("Hello world").ids);
    }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
