#include "model/core/error.h"
#include "model/tokenizer/tokenizer.h"
#include "model/training/bpe_trainer.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

using namespace lorsa;

namespace {

const std::vector<std::string> kCorpus = {
    "In the beginning God created the heaven and the earth.\nAnd the earth was without form, and void; and darkness was "
    "upon the face of the deep.\n",
    "And God said, Let there be light: and there was light. And God saw the light, that it was good: and God divided the "
    "light from the darkness. 1234 12 34 café — naïve 🙂 don't they'll\n\n\t  spaces   \n",
};

} // namespace

class TestBpeTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bytesComeInGpt2Order()
    {
        const auto vocab = trainByteLevelBpe(kCorpus, {300, 2});
        // GPT-2's own ids for these byte tokens.
        QCOMPARE(vocab.tokens.at(0), std::string("!"));
        QCOMPARE(vocab.tokens.at(32), std::string("A"));
        QCOMPARE(vocab.tokens.at(93), std::string("~"));
        QCOMPARE(vocab.tokens.at(188), std::string("\xc4\x80"));   // Ā = byte 0
        QCOMPARE(vocab.tokens.at(198), std::string("\xc4\x8a"));   // Ċ = '\n'
        QCOMPARE(vocab.tokens.at(220), std::string("\xc4\xa0"));   // Ġ = ' '
        QCOMPARE(vocab.tokens.at(255), std::string("\xc5\x83"));   // Ń = byte 0xAD
        QCOMPARE(vocab.endOfTextId, int64_t(vocab.tokens.size()));
    }

    void mergesByFrequencyWithDeterministicTies()
    {
        // Pre-tokens "ab", " ab", " ab", " cd": (a,b) x3, then (Ġ,ab) x2, then the tie (Ġ,c) x1 vs
        // (c,d) x1 goes to the smaller id pair: c=66 < Ġ=220.
        const auto vocab = trainByteLevelBpe({"ab ab ab cd"}, {260, 1});
        QCOMPARE(vocab.merges.size(), size_t(3));
        QCOMPARE(vocab.merges[0], std::make_pair(std::string("a"), std::string("b")));
        QCOMPARE(vocab.merges[1], std::make_pair(std::string("\xc4\xa0"), std::string("ab")));
        QCOMPARE(vocab.merges[2], std::make_pair(std::string("c"), std::string("d")));
        QCOMPARE(vocab.tokens[256], std::string("ab"));
        QCOMPARE(vocab.endOfTextId, int64_t(259));
        // min frequency 2 stops after the two frequent merges.
        QCOMPARE(trainByteLevelBpe({"ab ab ab cd"}, {300, 2}).merges.size(), size_t(2));
    }

    void overlappingRunsCountedExactly()
    {
        // "aaaa" x1: (a,a) occurs 3 times; after merging, "aa aa" -> (aa,aa) once.
        const auto vocab = trainByteLevelBpe({"aaaa"}, {300, 1});
        QCOMPARE(vocab.merges.size(), size_t(2));
        QCOMPARE(vocab.tokens[256], std::string("aa"));
        QCOMPARE(vocab.tokens[257], std::string("aaaa"));
    }

    void isDeterministic()
    {
        const auto a = bpeTokenizerJson(trainByteLevelBpe(kCorpus, {400, 2}));
        const auto b = bpeTokenizerJson(trainByteLevelBpe(kCorpus, {400, 2}));
        QCOMPARE(a, b);
    }

    void roundTrips_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addRow("corpus") << QString::fromStdString(kCorpus[1]);
        QTest::addRow("unseen") << QStringLiteral("Zebras quickly jumped over 99 lazy dogs?! ÆØÅ 日本語 \u200b\U0001F600");
        QTest::addRow("whitespace") << QStringLiteral("  \n\n\t x  ");
        QTest::addRow("special") << QStringLiteral("end<|endoftext|>start");
    }
    void roundTrips()
    {
        QFETCH(QString, text);
        test::TempDir dir;
        const auto vocab = trainByteLevelBpe(kCorpus, {330, 2});
        writeBpeTokenizer(dir / "tokenizer.json", vocab);
        const auto tokenizer = Tokenizer::fromFile(dir / "tokenizer.json");
        QCOMPARE(tokenizer.vocabSize(), int64_t(vocab.tokens.size()) + 1);
        const auto utf8 = text.toStdString();
        const auto encoding = tokenizer.encode(utf8, false);
        QCOMPARE(tokenizer.decode(encoding.ids), utf8);
        for (const auto id : encoding.ids)
            QVERIFY(id >= 0 && id < tokenizer.vocabSize());
        QCOMPARE(tokenizer.tokenToId("<|endoftext|>").value_or(-1), vocab.endOfTextId);
        if (text.contains(QStringLiteral("<|endoftext|>")))
            QVERIFY(std::count(encoding.ids.begin(), encoding.ids.end(), vocab.endOfTextId) == 1);
    }

    void learntMergesShortenText()
    {
        const auto vocab = trainByteLevelBpe(kCorpus, {350, 1});
        QCOMPARE(vocab.merges.size(), size_t(350 - 257));
        const auto tokenizer = Tokenizer::fromJsonText(bpeTokenizerJson(vocab), "trained");
        // Frequent words become single tokens: " the", " God", " light".
        for (const char* word : {" the", " God", " light", " and"}) {
            const auto ids = tokenizer.encode(word, false).ids;
            QVERIFY2(ids.size() == 1, word);
        }
        QCOMPARE(tokenizer.encode(" the light", false).ids.size(), size_t(2));
    }

    void vocabSizeIsHonoured_data()
    {
        QTest::addColumn<int>("size");
        QTest::addRow("bytes only") << 257;
        QTest::addRow("small") << 270;
        QTest::addRow("more") << 350;
    }
    void vocabSizeIsHonoured()
    {
        QFETCH(int, size);
        const auto vocab = trainByteLevelBpe(kCorpus, {size, 1});
        QCOMPARE(int64_t(vocab.tokens.size()) + 1, int64_t(size));
        QCOMPARE(vocab.merges.size(), size_t(size - 257));
    }

    void rejectsBadOptions()
    {
        QVERIFY_THROWS_EXCEPTION(Error, trainByteLevelBpe(kCorpus, {256, 2}));
        QVERIFY_THROWS_EXCEPTION(Error, trainByteLevelBpe({std::string("bad \xff utf8")}, {300, 2}));
        // Empty input trains the byte alphabet only.
        QCOMPARE(trainByteLevelBpe({}, {300, 2}).merges.size(), size_t(0));
    }
};

QTEST_APPLESS_MAIN(TestBpeTrainer)
#include "test_bpe_trainer.moc"
