#include "tests/support/fixture_lorsa.h"

#include "model/core/atomic_file.h"
#include "model/io/tensor_source.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace lorsa::test {

namespace {

std::filesystem::path testDataDir()
{
    const char* env = std::getenv("LORSA_TEST_DATA");
    if (!env || !*env)
        throw std::runtime_error("LORSA_TEST_DATA is not set (run the test through ctest)");
    return env;
}

} // namespace

void writeTinyLorsa(const std::filesystem::path& dir, const LorsaFixtureOptions& o)
{
    std::filesystem::create_directories(dir);
    const std::string hookIn = "blocks." + std::to_string(o.layer) + ".ln1.hook_normalized";
    const std::string hookOut = "blocks." + std::to_string(o.layer) + ".hook_attn_out";

    nlohmann::json config = {
        {"sae_type", "lorsa"},
        {"d_model", o.dModel},
        {"expansion_factor", static_cast<double>(o.nOvHeads) / static_cast<double>(o.dModel)},
        {"hook_point_in", hookIn},
        {"hook_point_out", hookOut},
        {"n_qk_heads", o.nQkHeads},
        {"d_qk_head", o.dQkHead},
        {"act_fn", o.actFn},
        {"top_k", o.topK},
        {"use_decoder_bias", o.decoderBias},
        {"norm_activation", o.datasetWise ? "dataset-wise" : "inference"},
        {"sparsity_include_decoder_norm", o.sparsityIncludeDecoderNorm},
        {"positional_embedding_type", o.rotary ? "rotary" : "none"},
        {"rotary_dim", o.rotaryDim},
        {"rotary_base", o.rotaryBase},
        {"rotary_adjacent_pairs", o.rotaryAdjacentPairs},
        {"rotary_scale", 1},
        {"use_NTK_by_parts_rope", o.ntkByParts},
        {"NTK_by_parts_factor", 8.0},
        {"NTK_by_parts_low_freq_factor", 1.0},
        {"NTK_by_parts_high_freq_factor", 4.0},
        {"old_context_len", 16},
        {"n_ctx", o.nCtx},
        {"attn_scale", nullptr},
        {"use_post_qk_ln", o.postQkLn},
        {"normalization_type", o.postQkLn ? nlohmann::json("RMS") : nlohmann::json(nullptr)},
        {"eps", 1e-6},
        {"dtype", "torch.float32"},
        {"device", "cpu"},
        {"jumprelu_threshold_window", 2.0},
        {"skip_bos", false},
    };
    if (o.attnScale)
        config["attn_scale"] = *o.attnScale;
    writeFileAtomically(dir / "config.json", std::string_view(config.dump(4)));

    auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
    const auto randn = [&](at::IntArrayRef shape, double scale) { return at::normal(0.0, scale, shape, gen).to(at::kFloat); };
    const double invRoot = 1.0 / std::sqrt(static_cast<double>(o.dModel));
    const int64_t nQk = o.nQkHeads, nOv = o.nOvHeads, d = o.dModel, dQk = o.dQkHead;
    std::vector<std::pair<std::string, at::Tensor>> tensors = {
        {"W_Q", randn({nQk, d, dQk}, o.weightScale * invRoot * 2)},
        {"W_K", randn({nQk, d, dQk}, o.weightScale * invRoot * 2)},
        {"W_V", randn({nOv, d}, invRoot)},
        {"W_O", randn({nOv, d}, invRoot)},
        {"b_Q", randn({nQk, dQk}, 0.1)},
        {"b_K", randn({nQk, dQk}, 0.1)},
        {"b_V", randn({nOv}, 0.1)},
        // Buffers a real checkpoint carries; the loader must ignore them.
        {"mask", at::ones({o.nCtx, o.nCtx}, at::kBool).tril()},
        {"IGNORE", at::full({}, -std::numeric_limits<float>::infinity(), at::kFloat)},
    };
    if (o.decoderBias)
        tensors.emplace_back("b_D", randn({d}, 0.1));
    if (o.actFn == "jumprelu")
        tensors.emplace_back("activation_function.log_jumprelu_threshold", randn({nOv}, 0.3) + std::log(o.jumpReluThreshold));
    if (o.postQkLn) {
        tensors.emplace_back("ln_q.w", randn({nQk, dQk}, 0.2) + 1.0);
        tensors.emplace_back("ln_k.w", randn({nQk, dQk}, 0.2) + 1.0);
    }
    if (o.datasetWise) {
        tensors.emplace_back("dataset_average_activation_norm." + hookIn, at::full({}, o.normIn, at::kFloat));
        tensors.emplace_back("dataset_average_activation_norm." + hookOut, at::full({}, o.normOut, at::kFloat));
    }
    writeSafetensors(dir / "sae_weights.safetensors", tensors, {{"version", "2.0.0"}});
}

std::filesystem::path originalLorsaDataDir(OriginalLorsaVariant variant)
{
    return testDataDir() / "lorsa" / (variant == OriginalLorsaVariant::ZRelu ? "original_zrelu" : "original_abs");
}

void writeTinyOriginalLorsa(const std::filesystem::path& dir, OriginalLorsaVariant variant)
{
    std::filesystem::create_directories(dir);
    const auto source = originalLorsaDataDir(variant);
    for (const char* name : {"config.json", "final.pth"})
        std::filesystem::copy_file(source / name, dir / name, std::filesystem::copy_options::overwrite_existing);
}

} // namespace lorsa::test
