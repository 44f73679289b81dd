#include "model/tokenizer/tokenizer.h"

#include "model/core/error.h"
#include "model/core/json_nesting.h"
#include "model/tokenizer/added_vocabulary.h"
#include "model/tokenizer/bpe_model.h"
#include "model/tokenizer/byte_level.h"
#include "model/tokenizer/normalizer.h"
#include "model/tokenizer/post_processor.h"
#include "model/tokenizer/pre_tokenizer.h"
#include "model/tokenizer/utf8.h"

#include <fstream>
#include <sstream>
#include <unordered_set>

namespace lorsa {

using tokenizer_json::Json;
using tokenizer_json::Where;

struct Tokenizer::Impl {
    Normalizer normalizer;
    PreTokenizer preTokenizer;
    std::unique_ptr<BpeModel> model;
    AddedVocabulary added;
    PostProcessor postProcessor;
    bool byteLevelDecoder = false;
    std::vector<std::optional<std::string>> tokenOfId; // [max id + 1]
    std::unordered_set<int64_t> specialIds;
    std::unordered_map<std::string, int64_t> addedIds; // added tokens by content
    int64_t vocabSize = 0;

    void encodePiece(const NormalizedText& piece, Encoding& out) const;
};

namespace {

constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{1} << 30;
constexpr int64_t kMaxTokenId = int64_t{1} << 24; // far above any real vocabulary

/// Parses "decoder": ByteLevel (or a Sequence holding only ByteLevel) or null.
bool parseDecoder(const Json& json, const Where& where, int depth = 0)
{
    if (json.is_null())
        return false;
    if (depth > 16)
        where.fail("Sequence nested too deeply");
    const auto type = tokenizer_json::typeOf(json, where);
    if (type == "ByteLevel")
        return true;
    if (type == "Sequence") {
        const auto& list = tokenizer_json::member(json, "decoders", where);
        if (!list.is_array())
            (where / "decoders").fail("expected an array");
        bool byteLevel = false;
        for (std::size_t i = 0; i < list.size(); ++i)
            byteLevel = parseDecoder(list[i], (where / "decoders").at(i), depth + 1) || byteLevel;
        return byteLevel;
    }
    where.fail("decoder type \"" + type + "\" is not supported (supported: ByteLevel, Sequence)", ErrorKind::Unsupported);
}

} // namespace

Tokenizer Tokenizer::fromFile(const std::filesystem::path& tokenizerJson)
{
    const auto name = tokenizerJson.string();
    std::error_code ec;
    const auto size = std::filesystem::file_size(tokenizerJson, ec);
    if (ec)
        throw Error(ErrorKind::InvalidFile, name + ": cannot read: " + ec.message());
    if (size > kMaxFileBytes)
        throw Error(ErrorKind::InvalidFile, name + ": " + std::to_string(size) + " bytes is too large for a tokenizer.json");
    std::ifstream in(tokenizerJson, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in)
        throw Error(ErrorKind::InvalidFile, name + ": cannot read");
    return fromJsonText(text.str(), name);
}

Tokenizer Tokenizer::fromJsonText(std::string_view jsonText, const std::string& name)
{
    const Where root{name, ""};
    if (jsonNestingDepth(jsonText) > kMaxJsonNesting)
        root.fail("JSON nested deeper than " + std::to_string(kMaxJsonNesting) + " levels");
    Json json;
    try {
        json = Json::parse(jsonText.begin(), jsonText.end());
    } catch (const Json::exception& e) {
        root.fail(std::string("not valid JSON: ") + e.what());
    }
    if (!json.is_object())
        root.fail("expected a JSON object at the top level");
    auto impl = std::make_shared<Impl>();
    impl->model = BpeModel::fromJson(tokenizer_json::member(json, "model", root), root / "model");
    const auto optional = [&](const char* key) -> const Json& {
        static const Json null;
        const auto it = json.find(key);
        return it == json.end() ? null : *it;
    };
    impl->normalizer = Normalizer::fromJson(optional("normalizer"), root / "normalizer");
    impl->preTokenizer = PreTokenizer::fromJson(optional("pre_tokenizer"), root / "pre_tokenizer");
    impl->added = AddedVocabulary::fromJson(optional("added_tokens"), impl->normalizer, root / "added_tokens");
    impl->postProcessor = PostProcessor::fromJson(optional("post_processor"), root / "post_processor");
    impl->byteLevelDecoder = parseDecoder(optional("decoder"), root / "decoder");

    int64_t maxId = -1;
    for (const auto& [token, id] : impl->model->vocab())
        maxId = std::max(maxId, id);
    for (const auto& t : impl->added.tokens())
        maxId = std::max(maxId, t.id);
    if (maxId >= kMaxTokenId)
        root.fail("token id " + std::to_string(maxId) + " is implausibly large");
    impl->tokenOfId.resize(static_cast<std::size_t>(maxId + 1));
    for (const auto& [token, id] : impl->model->vocab())
        impl->tokenOfId[static_cast<std::size_t>(id)] = token;
    impl->vocabSize = static_cast<int64_t>(impl->model->vocab().size());
    for (const auto& t : impl->added.tokens()) {
        const auto inModel = impl->model->tokenToId(t.content);
        if (inModel && *inModel != t.id)
            (root / "added_tokens").fail("\"" + t.content + "\" has id " + std::to_string(t.id) + " but the vocab says "
                                         + std::to_string(*inModel));
        if (!inModel)
            ++impl->vocabSize;
        impl->tokenOfId[static_cast<std::size_t>(t.id)] = t.content;
        impl->addedIds[t.content] = t.id;
        if (t.special)
            impl->specialIds.insert(t.id);
    }
    for (const auto id : impl->postProcessor.templateIds())
        if (id >= static_cast<int64_t>(impl->tokenOfId.size()) || !impl->tokenOfId[static_cast<std::size_t>(id)])
            (root / "post_processor").fail("adds token id " + std::to_string(id) + ", which is not in the vocabulary");
    return Tokenizer(std::move(impl));
}

void Tokenizer::Impl::encodePiece(const NormalizedText& piece, Encoding& out) const
{
    for (const auto& word : preTokenizer.apply(piece)) {
        for (const auto& p : model->encodeWord(word.text)) {
            out.ids.push_back(p.id);
            out.byteSpans.push_back(word.originalSpan(p.begin, p.end));
        }
    }
}

Encoding Tokenizer::encode(std::string_view utf8, bool addSpecialTokens) const
{
    if (const auto bad = utf8::firstInvalidByte(utf8))
        throw Error(ErrorKind::InvalidInput, "the text is not valid UTF-8 at byte " + std::to_string(*bad));
    const auto& impl = *m_impl;
    Encoding out;
    // Tokens that match the raw text first; then each stretch between them is normalised and
    // searched for the tokens that match normalised text; the rest goes through BPE.
    std::size_t previous = 0;
    const auto encodeStretch = [&](std::size_t begin, std::size_t end) {
        if (end <= begin)
            return;
        auto text = NormalizedText::fromOriginal(utf8.substr(begin, end - begin), static_cast<int64_t>(begin));
        impl.normalizer.apply(text);
        std::size_t at = 0;
        for (const auto& m : impl.added.find(text.text, true)) {
            if (m.begin > at)
                impl.encodePiece(text.slice(at, m.begin), out);
            out.ids.push_back(m.id);
            out.byteSpans.push_back(text.originalSpan(m.begin, m.end));
            at = m.end;
        }
        if (at < text.text.size())
            impl.encodePiece(text.slice(at, text.text.size()), out);
    };
    for (const auto& m : impl.added.find(utf8, false)) {
        encodeStretch(previous, m.begin);
        out.ids.push_back(m.id);
        out.byteSpans.emplace_back(static_cast<int64_t>(m.begin), static_cast<int64_t>(m.end));
        previous = m.end;
    }
    encodeStretch(previous, utf8.size());
    impl.postProcessor.apply(out.ids, out.byteSpans, addSpecialTokens,
                             [&](int64_t id) { return impl.tokenOfId[static_cast<std::size_t>(id)].value_or(std::string()); });
    return out;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const
{
    const auto& impl = *m_impl;
    std::string bytes;
    bool first = true;
    for (const auto id : ids) {
        const auto token = idToToken(id);
        if (!token || (skipSpecialTokens && impl.specialIds.count(id)))
            continue;
        if (!impl.byteLevelDecoder) { // no decoder: Hugging Face joins the tokens with spaces
            bytes += first ? *token : " " + *token;
        } else if (const auto decoded = byte_level::decode(*token)) {
            bytes += *decoded;
        } else { // a token outside the byte table (an added token with spaces, say) stays as written
            bytes += *token;
        }
        first = false;
    }
    return utf8::toValidLossy(bytes);
}

std::string Tokenizer::tokenText(int64_t id) const
{
    return decode({id}, false);
}

std::optional<int64_t> Tokenizer::tokenToId(std::string_view token) const
{
    if (const auto it = m_impl->addedIds.find(std::string(token)); it != m_impl->addedIds.end())
        return it->second;
    return m_impl->model->tokenToId(token);
}

std::optional<std::string> Tokenizer::idToToken(int64_t id) const
{
    if (id < 0 || id >= static_cast<int64_t>(m_impl->tokenOfId.size()))
        return std::nullopt;
    return m_impl->tokenOfId[static_cast<std::size_t>(id)];
}

int64_t Tokenizer::vocabSize() const
{
    return m_impl->vocabSize;
}

bool Tokenizer::isSpecial(int64_t id) const
{
    return m_impl->specialIds.count(id) > 0;
}

std::optional<int64_t> Tokenizer::bosId() const
{
    return m_impl->postProcessor.bosId();
}

} // namespace lorsa
