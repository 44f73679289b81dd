#include "model/core/error.h"
#include "model/transformer/transformer.h"
#include "tests/model/transformer/reference_model.h"
#include "tests/support/fixture_models.h"
#include "tests/support/temp_dir.h"

#include <torch/torch.h>

#include <QtTest>

#include <functional>

using namespace lorsa;
using lorsa::test::relativeError;

namespace {

struct Variant {
    const char* name;
    std::function<void(const std::filesystem::path&)> write;
};

const std::vector<Variant>& variants()
{
    using namespace lorsa::test;
    static const std::vector<Variant> all = {
        {"gpt2", [](const auto& dir) { writeTinyGpt2(dir); }},
        {"gpt2 hub names, mask buffers, lm_head",
         [](const auto& dir) {
             Gpt2FixtureOptions o;
             o.prefix = false;
             o.maskBuffers = true;
             o.writeLmHead = true;
             o.seed = 2;
             writeTinyGpt2(dir, o);
         }},
        {"gpt2 F16",
         [](const auto& dir) {
             Gpt2FixtureOptions o;
             o.dtype = FixtureDtype::F16;
             o.seed = 3;
             writeTinyGpt2(dir, o);
         }},
        {"gpt2 BF16 sharded",
         [](const auto& dir) {
             Gpt2FixtureOptions o;
             o.dtype = FixtureDtype::BF16;
             o.shards = 3;
             o.seed = 4;
             writeTinyGpt2(dir, o);
         }},
        {"neox parallel", [](const auto& dir) { writeTinyNeox(dir); }},
        {"neox sequential, full rotary, buffers",
         [](const auto& dir) {
             NeoxFixtureOptions o;
             o.parallelResidual = false;
             o.rotaryPct = 1.0;
             o.buffers = true;
             o.seed = 5;
             writeTinyNeox(dir, o);
         }},
        {"neox half rotary, mixed F16, sharded, 3 layers",
         [](const auto& dir) {
             NeoxFixtureOptions o;
             o.rotaryPct = 0.5;
             o.dtype = FixtureDtype::F16;
             o.mixedDtypes = true;
             o.shards = 2;
             o.nLayers = 3;
             o.seed = 6;
             writeTinyNeox(dir, o);
         }},
        {"llama gqa", [](const auto& dir) { writeTinyLlama(dir); }},
        {"llama3 scaling, tied",
         [](const auto& dir) {
             LlamaFixtureOptions o;
             o.llama3Scaling = true;
             o.ropeTheta = 10000.0;
             o.tiedEmbeddings = true;
             o.seed = 7;
             writeTinyLlama(dir, o);
         }},
        {"llama mha, biases, BF16",
         [](const auto& dir) {
             LlamaFixtureOptions o;
             o.nKvHeads = 4;
             o.attentionBias = true;
             o.mlpBias = true;
             o.dtype = FixtureDtype::BF16;
             o.seed = 8;
             writeTinyLlama(dir, o);
         }},
        {"llama one kv head",
         [](const auto& dir) {
             LlamaFixtureOptions o;
             o.nKvHeads = 1;
             o.nHeads = 8;
             o.dModel = 64;
             o.seed = 9;
             writeTinyLlama(dir, o);
         }},
        // Qwen3 as Qwen3-1.7B: q/k norm, head_dim wider than d_model / n_heads, GQA, tied, BF16.
        {"qwen3 head_dim 16 of d 32, tied, BF16",
         [](const auto& dir) {
             LlamaFixtureOptions o;
             o.modelType = "qwen3";
             o.headDim = 16;
             o.tiedEmbeddings = true;
             o.ropeTheta = 1000000.0;
             o.rmsNormEps = 1e-6;
             o.dtype = FixtureDtype::BF16;
             o.seed = 10;
             writeTinyLlama(dir, o);
         }},
        {"qwen3 attention_bias, narrow heads, 3 layers",
         [](const auto& dir) {
             LlamaFixtureOptions o;
             o.modelType = "qwen3";
             o.headDim = 4;
             o.nHeads = 4;
             o.nKvHeads = 4;
             o.attentionBias = true;
             o.nLayers = 3;
             o.seed = 11;
             writeTinyLlama(dir, o);
         }},
        {"qwen2 q/k/v biases, sharded F16",
         [](const auto& dir) {
             LlamaFixtureOptions o;
             o.modelType = "qwen2";
             o.dtype = FixtureDtype::F16;
             o.shards = 2;
             o.seed = 12;
             writeTinyLlama(dir, o);
         }},
    };
    return all;
}

std::vector<int64_t> randomTokens(int64_t n, int64_t vocab, uint64_t seed)
{
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto ids = at::randint(vocab, {n}, gen, at::kLong);
    return {ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + n};
}

at::Tensor batch(const std::vector<std::vector<int64_t>>& rows)
{
    std::vector<at::Tensor> parts;
    for (const auto& row : rows)
        parts.push_back(at::tensor(row, at::kLong));
    return at::stack(parts);
}

std::set<std::string> allHooks(const ModelConfig& c)
{
    std::set<std::string> names = {"hook_embed", "ln_final.hook_normalized", "logits"};
    if (c.architecture == Architecture::Gpt2)
        names.insert("hook_pos_embed");
    for (int64_t l = 0; l < c.nLayers; ++l) {
        const auto b = "blocks." + std::to_string(l) + ".";
        for (const char* n : {"hook_resid_pre", "ln1.hook_normalized", "attn.hook_q", "attn.hook_k", "attn.hook_v",
                              "attn.hook_pattern", "attn.hook_z", "attn.hook_result", "hook_attn_out",
                              "ln2.hook_normalized", "hook_mlp_out", "hook_resid_post"})
            names.insert(b + n);
        if (!c.parallelResidual)
            names.insert(b + "hook_resid_mid");
    }
    return names;
}

} // namespace

class TestTransformer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesReference_data()
    {
        QTest::addColumn<int>("variant");
        for (size_t i = 0; i < variants().size(); ++i)
            QTest::addRow("%s", variants()[i].name) << int(i);
    }

    // Every hook and the logits of a B=2 batch against the float64 reference run per sequence.
    void matchesReference()
    {
        QFETCH(int, variant);
        test::TempDir dir;
        variants()[size_t(variant)].write(dir.path());
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        const test::ReferenceModel reference(dir.path());
        const auto& c = model->config();
        const std::vector<std::vector<int64_t>> rows = {randomTokens(19, c.vocabSize, 11), randomTokens(19, c.vocabSize, 12)};

        ForwardOptions options;
        options.capture.names = allHooks(c);
        ActivationCache cache;
        const auto logits = model->forward(batch(rows), cache, options);
        QCOMPARE(cache.size(), options.capture.names.size());
        QVERIFY(logits.equal(cache.at("logits")));
        for (size_t b = 0; b < rows.size(); ++b) {
            const auto expected = reference.run(rows[b]);
            for (const auto& name : options.capture.names) {
                const auto& actual = cache.at(name);
                QCOMPARE(actual.scalar_type(), at::kFloat);
                QCOMPARE(actual.size(0), int64_t(rows.size()));
                const double error = relativeError(actual[int64_t(b)], expected.at(name));
                if (!(error <= 1e-4))
                    QFAIL(qPrintable(QStringLiteral("%1: relative error %2").arg(QString::fromStdString(name)).arg(error)));
            }
            // The attention input HF computes = ln1 affine applied to the normalised input.
            const auto normalized = cache.at("blocks.1.ln1.hook_normalized")[int64_t(b)];
            QVERIFY(relativeError(model->applyLn1Affine(1, normalized),
                                  reference.ln1Affine(1, expected.at("blocks.1.ln1.hook_normalized"))) <= 1e-5);
        }

        // Without captures the attention runs head-chunked: same logits.
        ActivationCache none;
        const auto plain = model->forward(batch(rows), none, {});
        QVERIFY(none.empty());
        QVERIFY(relativeError(plain, logits) <= 1e-6);
    }

    void patternIsCausalAndNormalised()
    {
        test::TempDir dir;
        test::writeTinyLlama(dir.path());
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        ForwardOptions options;
        options.capture.names = {"blocks.0.attn.hook_pattern"};
        ActivationCache cache;
        model->forward(batch({randomTokens(16, 300, 3)}), cache, options);
        const auto& pattern = cache.at("blocks.0.attn.hook_pattern");  // [1,H,T,T]
        QCOMPARE(pattern.sizes().vec(), (std::vector<int64_t>{1, 4, 16, 16}));
        QCOMPARE(pattern.triu(1).abs().max().item<float>(), 0.0f);
        QVERIFY((pattern.sum(-1) - 1).abs().max().item<float>() < 1e-5f);
        // Random fixture weights must give sharp, non-uniform attention.
        QVERIFY(pattern.index({0, at::indexing::Slice(), -1}).max().item<float>() > 0.3f);
    }

    void batchEqualsSingleRuns()
    {
        test::TempDir dir;
        test::writeTinyNeox(dir.path());
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        const auto a = randomTokens(12, 320, 1), b = randomTokens(12, 320, 2);
        ForwardOptions options;
        options.capture.names = {"blocks.1.attn.hook_z", "blocks.0.hook_resid_post"};
        ActivationCache both, first, second;
        const auto logits = model->forward(batch({a, b}), both, options);
        const auto la = model->forward(batch({a}), first, options);
        const auto lb = model->forward(batch({b}), second, options);
        QVERIFY(relativeError(logits[0], la[0]) <= 1e-5);
        QVERIFY(relativeError(logits[1], lb[0]) <= 1e-5);
        for (const auto& name : options.capture.names) {
            QVERIFY(relativeError(both.at(name)[0], first.at(name)[0]) <= 1e-5);
            QVERIFY(relativeError(both.at(name)[1], second.at(name)[0]) <= 1e-5);
        }
    }

    void selectiveCaptureKeepsOnlyWhatWasAsked()
    {
        test::TempDir dir;
        test::writeTinyGpt2(dir.path());
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        ForwardOptions options;
        options.capture.names = {"blocks.1.attn.hook_pattern", "blocks.0.ln1.hook_normalized"};
        ActivationCache cache;
        model->forward(batch({randomTokens(8, 300, 1)}), cache, options);
        QCOMPARE(cache.size(), size_t(2));
        QVERIFY(cache.count("blocks.1.attn.hook_pattern") && cache.count("blocks.0.ln1.hook_normalized"));
    }

    void interventionOnAttnOutFlowsDownstream()
    {
        test::TempDir dir;
        test::writeTinyGpt2(dir.path());
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        const test::ReferenceModel reference(dir.path());
        const auto tokens = randomTokens(10, 300, 5);
        const auto replacement = at::normal(0.0, 0.5, {10, 32}, at::make_generator<at::CPUGeneratorImpl>(9));
        std::vector<std::string> seen;
        ForwardOptions options;
        options.capture.names = {"blocks.0.hook_attn_out", "blocks.1.hook_resid_post", "logits"};
        options.intervene = [&](const std::string& hook, at::Tensor& activation) {
            seen.push_back(hook);
            if (hook == "blocks.0.hook_attn_out")
                activation = replacement.unsqueeze(0).clone();
        };
        ActivationCache cache;
        model->forward(batch({tokens}), cache, options);
        const auto expected = reference.run(tokens, {{"blocks.0.hook_attn_out", replacement.to(at::kDouble)}});
        const auto original = reference.run(tokens);
        for (const auto& name : options.capture.names)
            QVERIFY2(relativeError(cache.at(name)[0], expected.at(name)) <= 1e-4, name.c_str());
        QVERIFY(relativeError(cache.at("logits")[0], original.at("logits")) > 1e-2);
        // Every hook point is offered, in order (hook_result only when captured).
        QCOMPARE(seen.front(), std::string("hook_embed"));
        QCOMPARE(seen.back(), std::string("logits"));
        QCOMPARE(std::count(seen.begin(), seen.end(), "blocks.1.attn.hook_pattern"), 1);
        QCOMPARE(std::count(seen.begin(), seen.end(), "blocks.1.attn.hook_result"), 0);
    }

    void lastLayerStopsEarly()
    {
        test::TempDir dir;
        test::writeTinyLlama(dir.path());
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        ForwardOptions options;
        options.capture.names = {"blocks.0.hook_attn_out", "blocks.1.hook_resid_pre", "logits"};
        options.lastLayer = 0;
        ActivationCache cache;
        QVERIFY(!model->forward(batch({randomTokens(6, 300, 1)}), cache, options).defined());
        QCOMPARE(cache.size(), size_t(1));
        QVERIFY(cache.count("blocks.0.hook_attn_out"));
        options.lastLayer = 2;
        QVERIFY_THROWS_EXCEPTION(Error, model->forward(batch({randomTokens(6, 300, 1)}), cache, options));
    }

    void cancellationStopsBetweenBlocks()
    {
        test::TempDir dir;
        test::writeTinyGpt2(dir.path());
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        int polls = 0;
        ForwardOptions options;
        options.cancelled = [&] { return ++polls == 2; };
        ActivationCache cache;
        try {
            model->forward(batch({randomTokens(6, 300, 1)}), cache, options);
            QFAIL("no cancellation");
        } catch (const Error& error) {
            QCOMPARE(error.kind(), ErrorKind::Cancelled);
        }
        QCOMPARE(polls, 2);
    }

    // A long prompt runs (chunked attention) and stays causal: its prefix gives the short run's logits.
    void longPromptIsCausal()
    {
        test::TempDir dir;
        test::NeoxFixtureOptions o;
        o.nCtx = 2048;
        test::writeTinyNeox(dir.path(), o);
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        const auto tokens = randomTokens(2048, 320, 4);
        ActivationCache cache;
        const auto full = model->forward(batch({tokens}), cache, {});
        const auto prefix = model->forward(batch({{tokens.begin(), tokens.begin() + 24}}), cache, {});
        QVERIFY(at::isfinite(full).all().item<bool>());
        QVERIFY(relativeError(full.narrow(1, 0, 24), prefix) <= 1e-5);
    }

    void loadsInBfloat16()
    {
        test::TempDir dir;
        test::Gpt2FixtureOptions o;
        o.dtype = test::FixtureDtype::F16;
        test::writeTinyGpt2(dir.path(), o);
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kBFloat16);
        QCOMPARE(model->dtype(), at::kBFloat16);
        QCOMPARE(model->unembedding().scalar_type(), at::kBFloat16);
        const auto tokens = randomTokens(12, 300, 8);
        ActivationCache cache;
        const auto logits = model->forward(batch({tokens}), cache, {});
        QCOMPARE(logits.scalar_type(), at::kBFloat16);
        QVERIFY(relativeError(logits[0], test::ReferenceModel(dir.path()).run(tokens).at("logits")) <= 5e-2);
    }

    void embeddingsAndParameterCount()
    {
        test::TempDir dir;
        test::LlamaFixtureOptions o;
        o.tiedEmbeddings = true;
        test::writeTinyLlama(dir.path(), o);
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        const test::ReferenceModel reference(dir.path());
        QVERIFY(relativeError(model->embedding(), reference.tensor("model.embed_tokens.weight")) == 0);
        QVERIFY(relativeError(model->unembedding(), reference.tensor("model.embed_tokens.weight").t()) == 0);
        // Per layer: 2 norms, q, k, v, o, gate, up, down; plus embedding and final norm (tied head).
        const int64_t d = 32, kv = 16, mlp = 48;
        const int64_t perLayer = 2 * d + d * d + 2 * d * kv + d * d + 3 * d * mlp;
        QCOMPARE(model->parameterCount(), 300 * d + d + 2 * perLayer);
    }

    // A float32 run on the CPU keeps half-precision weights as stored (no float32 copy of the
    // model) and still computes what the float64 reference does from the same stored values.
    void keepsHalfPrecisionWeightsAsStored()
    {
        test::TempDir dir;
        test::LlamaFixtureOptions o;
        o.modelType = "qwen3";
        o.headDim = 16;
        o.tiedEmbeddings = true;
        o.dtype = test::FixtureDtype::BF16;
        test::writeTinyLlama(dir.path(), o);
        const auto model = Transformer::load(dir.path(), at::kCPU, at::kFloat);
        QCOMPARE(model->embedding().scalar_type(), at::kBFloat16);
        // Tied: the unembedding is the embedding's own storage, not a second copy.
        QCOMPARE(model->unembedding().data_ptr(), model->embedding().data_ptr());
        const auto tokens = randomTokens(9, 300, 4);
        ActivationCache cache;
        const auto logits = model->forward(batch({tokens}), cache, {});
        QCOMPARE(logits.scalar_type(), at::kFloat);
        QVERIFY(relativeError(logits[0], test::ReferenceModel(dir.path()).run(tokens).at("logits")) <= 1e-4);
        // In bfloat16 the weights are bfloat16 and the run is too.
        const auto half = Transformer::load(dir.path(), at::kCPU, at::kBFloat16);
        QCOMPARE(half->forward(batch({tokens}), cache, {}).scalar_type(), at::kBFloat16);
    }

    void progressReachesOne()
    {
        test::TempDir dir;
        test::writeTinyNeox(dir.path());
        std::vector<double> seen;
        Transformer::load(dir.path(), at::kCPU, at::kFloat, [&](double f) { seen.push_back(f); });
        QVERIFY(!seen.empty());
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QCOMPARE(seen.back(), 1.0);
    }
};

QTEST_APPLESS_MAIN(TestTransformer)
#include "test_transformer.moc"
