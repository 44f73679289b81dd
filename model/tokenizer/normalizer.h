#pragma once
/// \file
/// The tokenizer.json "normalizer": null, NFC, NFD, NFKC, NFKD, Lowercase or a Sequence of them.

#include "model/tokenizer/normalized_text.h"
#include "model/tokenizer/tokenizer_json.h"

#include <vector>

namespace lorsa {

class Normalizer {
public:
    /// Parses the "normalizer" member (null = identity); unknown types are Error(Unsupported).
    static Normalizer fromJson(const tokenizer_json::Json& json, const tokenizer_json::Where& where);

    bool isIdentity() const { return m_steps.empty(); }
    void apply(NormalizedText& text) const;

private:
    enum class Step { NFC, NFD, NFKC, NFKD, Lowercase };
    void parse(const tokenizer_json::Json& json, const tokenizer_json::Where& where, int depth);
    std::vector<Step> m_steps;
};

} // namespace lorsa
