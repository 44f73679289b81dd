#pragma once
/// \file
/// The tokenizer.json "post_processor": TemplateProcessing (single sequence), ByteLevel
/// (offset trimming only), a Sequence of those, or null.

#include "model/tokenizer/normalized_text.h"
#include "model/tokenizer/tokenizer_json.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lorsa {

class PostProcessor {
public:
    static PostProcessor fromJson(const tokenizer_json::Json& json, const tokenizer_json::Where& where);

    /// Applies the steps to \p ids / \p spans. \p tokenOf gives a token's vocabulary string
    /// (for offset trimming); special tokens are added only with \p addSpecialTokens.
    void apply(std::vector<int64_t>& ids, std::vector<ByteSpan>& spans, bool addSpecialTokens,
               const std::function<std::string(int64_t)>& tokenOf) const;

    /// The first id the single-sequence template puts before $A, if any.
    std::optional<int64_t> bosId() const;

    /// Every id a template may add (they must exist in the vocabulary).
    std::vector<int64_t> templateIds() const;

private:
    struct Step {
        bool trimOffsets = false;   // ByteLevel
        bool addPrefixSpace = true; // ByteLevel
        bool isTemplate = false;
        std::vector<std::optional<std::vector<int64_t>>> single; // TemplateProcessing: ids, or nullopt for $A
    };
    void parse(const tokenizer_json::Json& json, const tokenizer_json::Where& where, int depth);
    std::vector<Step> m_steps;
};

} // namespace lorsa
