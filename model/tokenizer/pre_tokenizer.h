#pragma once
/// \file
/// The tokenizer.json "pre_tokenizer" for byte-level BPE: Split (regex or string, every
/// delimiter behaviour, invert), Digits, and ByteLevel (add_prefix_space, use_regex with the
/// GPT-2 pattern), alone or in a Sequence that ends with ByteLevel.

#include "model/tokenizer/normalized_text.h"
#include "model/tokenizer/regex.h"
#include "model/tokenizer/tokenizer_json.h"

#include <vector>

namespace lorsa {

class PreTokenizer {
public:
    /// Parses the "pre_tokenizer" member. Byte-level BPE needs a ByteLevel step, last.
    static PreTokenizer fromJson(const tokenizer_json::Json& json, const tokenizer_json::Where& where);

    /// Splits one normalised piece into the words that BPE encodes (raw UTF-8 bytes; the
    /// byte-level spelling is applied by the model).
    std::vector<NormalizedText> apply(NormalizedText text) const;

private:
    enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
    struct Step {
        enum class Kind { Split, ByteLevel } kind;
        Regex regex; // Split, Digits and ByteLevel(use_regex)
        bool useRegex = true;
        Behavior behavior = Behavior::Isolated;
        bool invert = false;
        bool addPrefixSpace = false;
    };
    void parse(const tokenizer_json::Json& json, const tokenizer_json::Where& where, int depth);
    static void split(const NormalizedText& text, const Step& step, std::vector<NormalizedText>& out);
    std::vector<Step> m_steps;
};

} // namespace lorsa
