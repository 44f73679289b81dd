#pragma once
/// \file
/// Turning prompt text into model input: the tokenizer's encoding plus the model's BOS
/// convention (Language-Model-SAEs prepends BOS unless the tokenizer already put it first).

#include "model/tokenizer/tokenizer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lorsa {

/// Encoded prompt: ids and each token's byte span in the prompt ({0,0} for an added BOS).
struct PromptTokens {
    std::vector<int64_t> ids;
    std::vector<std::pair<int64_t, int64_t>> byteSpans;
    /// The prompt's length in tokens before it was cut to the model's or the Lorsa's context; 0
    /// when it was not.
    int64_t truncatedFrom = 0;
};

/// What to tell a user whose prompt of \p truncatedFrom tokens was analysed up to the context
/// (the model's or the Lorsa's, whichever is shorter) of \p analysed tokens; empty when nothing
/// was cut (\p truncatedFrom == 0).
std::string truncationNotice(int64_t truncatedFrom, int64_t analysed);

/// The BOS id to prepend: the one the tokenizer's post-processor adds, else the model config's.
std::optional<int64_t> bosTokenFor(const Tokenizer& tokenizer, std::optional<int64_t> configBos);

/// Encodes \p text (post-processor included) and, when \p bos is given, prepends it unless it is
/// already first. Throws Error(InvalidInput) for an empty prompt or invalid UTF-8.
PromptTokens encodePromptText(const Tokenizer& tokenizer, const std::string& text, std::optional<int64_t> bos);

} // namespace lorsa
