#include "model/core/error.h"
#include "model/training/token_packer.h"

#include <QtTest>

using namespace lorsa;

class TestTokenPacker : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void packsWithoutPadding()
    {
        TokenPacker packer(4, 2, int64_t(0));
        std::vector<TokenBatch> batches;
        for (const auto& document : std::vector<std::vector<int64_t>>{{1, 2, 3}, {4, 5}, {}, {6, 7, 8, 9, 10}})
            for (auto& batch : packer.add(document))
                batches.push_back(std::move(batch));
        QCOMPARE(batches.size(), size_t(1));
        QCOMPARE(batches[0].rows, int64_t(2));
        QCOMPARE(batches[0].tokens, std::vector<int64_t>({0, 1, 2, 3, 0, 4, 5, 0}));
        QCOMPARE(batches[0].documentStarts, std::vector<int64_t>({0, 4, 7}));
        const auto rest = packer.finish(false);
        QVERIFY(rest.has_value());
        QCOMPARE(rest->tokens, std::vector<int64_t>({6, 7, 8, 9, 10}));
        QCOMPARE(rest->rows, int64_t(2));
        QVERIFY(!packer.finish(false).has_value());
    }

    void dropsPartialRowWhenAsked()
    {
        TokenPacker packer(3, 4, std::nullopt);
        QVERIFY(packer.add({1, 2, 3, 4, 5}).empty());
        const auto rest = packer.finish(true);
        QVERIFY(rest.has_value());
        QCOMPARE(rest->tokens, std::vector<int64_t>({1, 2, 3}));
        QCOMPARE(rest->rows, int64_t(1));
        QCOMPARE(rest->documentStarts, std::vector<int64_t>({0}));
    }

    void longDocumentsSpanBatches()
    {
        TokenPacker packer(2, 2, std::nullopt);
        std::vector<int64_t> document(11);
        std::iota(document.begin(), document.end(), 0);
        const auto batches = packer.add(document);
        QCOMPARE(batches.size(), size_t(2));
        QCOMPARE(batches[1].tokens, std::vector<int64_t>({4, 5, 6, 7}));
        QVERIFY(batches[1].documentStarts.empty());
        QCOMPARE(packer.finish(false)->tokens, std::vector<int64_t>({8, 9, 10}));
    }

    void refusesEmptyShapes()
    {
        QVERIFY_THROWS_EXCEPTION(Error, TokenPacker(0, 1, std::nullopt));
        QVERIFY_THROWS_EXCEPTION(Error, TokenPacker(4, 0, std::nullopt));
    }
};

QTEST_APPLESS_MAIN(TestTokenPacker)
#include "test_token_packer.moc"
