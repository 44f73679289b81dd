#include "model/engine/prompt_tokens.h"

#include "model/core/error.h"

namespace lorsa {

std::optional<int64_t> bosTokenFor(const Tokenizer& tokenizer, std::optional<int64_t> configBos)
{
    const auto fromTokenizer = tokenizer.bosId();
    return fromTokenizer ? fromTokenizer : configBos;
}

PromptTokens encodePromptText(const Tokenizer& tokenizer, const std::string& text, std::optional<int64_t> bos)
{
    if (text.empty())
        throw Error(ErrorKind::InvalidInput, "the prompt is empty");
    const auto encoding = tokenizer.encode(text, true);
    PromptTokens prompt{encoding.ids, encoding.byteSpans};
    if (bos && (prompt.ids.empty() || prompt.ids.front() != *bos)) {
        prompt.ids.insert(prompt.ids.begin(), *bos);
        prompt.byteSpans.insert(prompt.byteSpans.begin(), {0, 0});
    }
    if (prompt.ids.empty())
        throw Error(ErrorKind::InvalidInput, "the prompt encodes to no tokens");
    return prompt;
}

std::string truncationNotice(int64_t truncatedFrom, int64_t analysed)
{
    if (truncatedFrom <= 0)
        return {};
    return "the prompt is " + std::to_string(truncatedFrom) + " tokens long but the context (model and Lorsa) holds " +
           std::to_string(analysed) + " tokens: only the first " + std::to_string(analysed) + " are analysed";
}

} // namespace lorsa
