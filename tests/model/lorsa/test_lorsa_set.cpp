// Lorsa sets: folder trees of Lorsas as Llama-Scope-2 publishes them, listed from their configs
// and opened one layer (and variant) at a time.

#include <torch/torch.h>

#include "model/core/error.h"
#include "model/lorsa/lorsa_set.h"
#include "tests/support/fixture_lorsa.h"
#include "tests/support/temp_dir.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace lorsa;

namespace {

namespace fs = std::filesystem;

// Llama-Scope-2's tree: lorsa/<E>x/k<K>/layer<L>_lorsa_<E>x_k<K>/, transcoders beside it.
void writeLlamaScopeTree(const fs::path& root, const std::vector<int64_t>& layers, const std::vector<std::pair<int, int>>& variants)
{
    for (const auto& [expansion, k] : variants)
        for (const auto layer : layers) {
            test::LorsaFixtureOptions o;
            o.layer = layer;
            o.nOvHeads = o.dModel * expansion;
            o.topK = k;
            o.seed = static_cast<uint64_t>(layer * 100 + expansion + k);
            const auto e = std::to_string(expansion) + "x", kk = "k" + std::to_string(k);
            test::writeTinyLorsa(root / "lorsa" / e / kk / ("layer" + std::to_string(layer) + "_lorsa_" + e + "_" + kk), o);
        }
    // A transcoder folder of the same release: another kind of dictionary, not part of the set.
    test::writeFile(root / "transcoder" / "8x" / "k64" / "layer0_transcoder_8x_k64" / "config.json",
                    R"({"sae_type": "crosscoder", "d_model": 16})");
    test::writeFile(root / "README.md", "Llama-Scope-2");
}

std::string errorOf(const std::function<void()>& f, ErrorKind* kind = nullptr)
{
    try {
        f();
    } catch (const Error& error) {
        if (kind)
            *kind = error.kind();
        return error.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestLorsaSet : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void listsALlamaScopeTree()
    {
        test::TempDir dir;
        writeLlamaScopeTree(dir.path(), {0, 1, 2, 5}, {{2, 3}, {1, 2}});
        const auto entries = listLorsaSet(dir.path());
        QCOMPARE(entries.size(), size_t(8));
        // Smaller expansions first, then by layer.
        QCOMPARE(entries.front().variant, std::string("1x/k2"));
        QCOMPARE(entries.front().layer, int64_t(0));
        QCOMPARE(entries.back().variant, std::string("2x/k3"));
        QCOMPARE(entries.back().layer, int64_t(5));
        QCOMPARE(entries.back().dir, dir / "lorsa" / "2x" / "k3" / "layer5_lorsa_2x_k3");
        QCOMPARE(entries.back().nOvHeads, int64_t(32));
        QCOMPARE(entries.back().topK, int64_t(3));
        for (const auto& entry : entries)
            QVERIFY(entry.problem.empty());
        QCOMPARE(describeLorsaSet(entries), std::string("1x/k2: layers 0-2, 5; 2x/k3: layers 0-2, 5"));
    }

    void choosesByLayerAndVariant()
    {
        test::TempDir dir;
        writeLlamaScopeTree(dir.path(), {0, 3}, {{2, 3}, {1, 2}});
        LorsaChoice choice;
        choice.layer = 3;
        choice.variant = "1x/k2";
        QCOMPARE(chooseLorsa(dir.path(), choice), dir / "lorsa" / "1x" / "k2" / "layer3_lorsa_1x_k2");
        // Without a variant where the layer has two: the error lists what there is.
        choice.variant.clear();
        ErrorKind kind{};
        auto message = errorOf([&] { chooseLorsa(dir.path(), choice); }, &kind);
        QCOMPARE(int(kind), int(ErrorKind::InvalidInput));
        QVERIFY2(contains(message, "--variant") && contains(message, "1x/k2: layers 0, 3"), message.c_str());
        // A layer the set does not cover.
        choice.layer = 7;
        message = errorOf([&] { chooseLorsa(dir.path(), choice); });
        QVERIFY2(contains(message, "no layer 7") && contains(message, "2x/k3"), message.c_str());
        // No layer at all in a set of several.
        message = errorOf([&] { chooseLorsa(dir.path(), {}); });
        QVERIFY2(contains(message, "--layer"), message.c_str());
        // The variant folder alone is a set of one variant: a layer is enough there.
        choice.layer = 0;
        QCOMPARE(chooseLorsa(dir / "lorsa" / "2x" / "k3", choice), dir / "lorsa" / "2x" / "k3" / "layer0_lorsa_2x_k3");
    }

    void aSingleFolderIsItsOwnSet()
    {
        test::TempDir dir;
        test::LorsaFixtureOptions o;
        o.layer = 2;
        test::writeTinyLorsa(dir.path(), o);
        QVERIFY(isLorsaFolder(dir.path()));
        QCOMPARE(listLorsaSet(dir.path()).size(), size_t(1));
        QCOMPARE(chooseLorsa(dir.path(), {}), dir.path());
        LorsaChoice other;
        other.layer = 3;
        ErrorKind kind{};
        const auto message = errorOf([&] { chooseLorsa(dir.path(), other); }, &kind);
        QCOMPARE(int(kind), int(ErrorKind::Mismatch));
        QVERIFY2(contains(message, "layer 2") && contains(message, "layer 3"), message.c_str());
    }

    void refusesTwoLorsasClaimingOneLayer()
    {
        test::TempDir dir;
        writeLlamaScopeTree(dir.path(), {1}, {{2, 3}});
        test::LorsaFixtureOptions o;
        o.layer = 1;
        o.nOvHeads = 32;
        test::writeTinyLorsa(dir / "copies" / "layer1_again", o);
        ErrorKind kind{};
        const auto message = errorOf([&] { listLorsaSet(dir.path()); }, &kind);
        QCOMPARE(int(kind), int(ErrorKind::InvalidConfig));
        QVERIFY2(contains(message, "layer1_again") && contains(message, "layer1_lorsa_2x_k3") && contains(message, "both claim layer 1"),
                 message.c_str());
    }

    // A Lorsa whose config cannot be read is listed with its problem; the rest stays usable.
    void listsBrokenLorsasWithTheirProblem()
    {
        test::TempDir dir;
        writeLlamaScopeTree(dir.path(), {0, 1}, {{2, 3}});
        test::writeFile(dir / "lorsa" / "2x" / "k3" / "layer1_lorsa_2x_k3" / "config.json", R"({"sae_type": "lorsa", "d_model": -4})");
        const auto entries = listLorsaSet(dir.path());
        QCOMPARE(entries.size(), size_t(2));
        const auto broken = std::find_if(entries.begin(), entries.end(), [](const auto& e) { return !e.problem.empty(); });
        QVERIFY(broken != entries.end());
        QVERIFY2(contains(broken->problem, "d_model"), broken->problem.c_str());
        LorsaChoice zero;
        zero.layer = 0;
        QCOMPARE(chooseLorsa(dir.path(), zero), dir / "lorsa" / "2x" / "k3" / "layer0_lorsa_2x_k3");
        LorsaChoice one;
        one.layer = 1;
        const auto message = errorOf([&] { chooseLorsa(dir.path(), one); });
        QVERIFY2(contains(message, "d_model"), message.c_str());
    }

    void refusesFoldersWithoutLorsas()
    {
        test::TempDir dir;
        test::writeFile(dir / "notes" / "a.txt", "x");
        ErrorKind kind{};
        auto message = errorOf([&] { chooseLorsa(dir.path(), {}); }, &kind);
        QCOMPARE(int(kind), int(ErrorKind::InvalidFile));
        QVERIFY2(contains(message, "no Lorsa folder"), message.c_str());
        message = errorOf([&] { listLorsaSet(dir / "missing"); }, &kind);
        QVERIFY2(contains(message, "no such folder"), message.c_str());
    }
};

QTEST_APPLESS_MAIN(TestLorsaSet)
#include "test_lorsa_set.moc"
