#pragma once
// An independent, deliberately plain float64 re-implementation of the Hugging Face gpt2,
// gpt_neox, llama, qwen2 and qwen3 forwards, head by head and position by position, reading config.json and
// the safetensors by the Hugging Face names itself. Tests compare the engine against it.

#include "tests/support/checks.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace lorsa::test {

class ReferenceModel {
public:
    explicit ReferenceModel(const std::filesystem::path& dir);

    /// All hooks for one sequence, without the batch dim: [T,d], q [T,H,dh], pattern [H,T,T], ...
    /// \p replace may substitute any hook's value (same shape) before it flows on.
    std::map<std::string, at::Tensor> run(const std::vector<int64_t>& tokens,
                                          const std::map<std::string, at::Tensor>& replace = {}) const;

    /// The attention input of block \p layer given its normalised input: x * w (+ b).
    at::Tensor ln1Affine(int64_t layer, const at::Tensor& normalized) const;

    /// float64 copy of a stored tensor by its Hugging Face name.
    at::Tensor tensor(const std::string& name) const;
    bool has(const std::string& name) const;

private:
    at::Tensor norm(const at::Tensor& x) const;
    at::Tensor normAffine(const std::string& prefix, const at::Tensor& normalized) const;
    at::Tensor activation(const at::Tensor& x) const;
    at::Tensor rotate(const at::Tensor& x) const;  // x [T,dh] of one head
    at::Tensor attentionHeads(int64_t layer, const at::Tensor& input, std::map<std::string, at::Tensor>& hooks,
                              const std::map<std::string, at::Tensor>& replace) const;
    at::Tensor mlp(int64_t layer, const at::Tensor& input) const;
    std::string layerPrefix(int64_t layer) const;

    std::filesystem::path m_dir;
    std::string m_type;
    std::string m_prefix;  // gpt2: "transformer." or ""
    std::map<std::string, at::Tensor> m_tensors;
    int64_t m_d = 0, m_layers = 0, m_heads = 0, m_kvHeads = 0, m_dh = 0, m_rotary = 0;
    double m_eps = 0, m_base = 0;
    bool m_parallel = false, m_tied = false;
    bool m_llamaFamily = false;  // llama, qwen2, qwen3: RMSNorm, no norm bias
    bool m_qkNorm = false;       // qwen3
    bool m_llama3 = false;
    double m_factor = 0, m_low = 0, m_high = 0, m_original = 0;
};

} // namespace lorsa::test
