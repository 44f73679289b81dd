#include "model/tokenizer/normalizer.h"

namespace lorsa {

using tokenizer_json::Json;
using tokenizer_json::Where;

Normalizer Normalizer::fromJson(const Json& json, const Where& where)
{
    Normalizer n;
    if (!json.is_null())
        n.parse(json, where, 0);
    return n;
}

void Normalizer::parse(const Json& json, const Where& where, int depth)
{
    if (depth > 16) // hostile nesting
        where.fail("Sequence nested too deeply");
    const auto type = tokenizer_json::typeOf(json, where);
    if (type == "Sequence") {
        const auto& list = tokenizer_json::member(json, "normalizers", where);
        if (!list.is_array())
            (where / "normalizers").fail("expected an array");
        for (std::size_t i = 0; i < list.size(); ++i)
            parse(list[i], (where / "normalizers").at(i), depth + 1);
    } else if (type == "NFC") {
        m_steps.push_back(Step::NFC);
    } else if (type == "NFD") {
        m_steps.push_back(Step::NFD);
    } else if (type == "NFKC") {
        m_steps.push_back(Step::NFKC);
    } else if (type == "NFKD") {
        m_steps.push_back(Step::NFKD);
    } else if (type == "Lowercase") {
        m_steps.push_back(Step::Lowercase);
    } else {
        where.fail("normalizer type \"" + type + "\" is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase, Sequence)",
                   ErrorKind::Unsupported);
    }
}

void Normalizer::apply(NormalizedText& text) const
{
    for (const auto step : m_steps) {
        switch (step) {
        case Step::NFC: text.normalize(NormalForm::NFC); break;
        case Step::NFD: text.normalize(NormalForm::NFD); break;
        case Step::NFKC: text.normalize(NormalForm::NFKC); break;
        case Step::NFKD: text.normalize(NormalForm::NFKD); break;
        case Step::Lowercase: text.lowercase(); break;
        }
    }
}

} // namespace lorsa
