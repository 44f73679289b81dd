#include "model/tokenizer/tokenizer_json.h"

namespace lorsa::tokenizer_json {

void Where::fail(const std::string& problem, ErrorKind kind) const
{
    throw Error(kind, file + ": " + (path.empty() ? "" : path + ": ") + problem);
}

const Json& member(const Json& object, const char* key, const Where& where)
{
    if (!object.is_object())
        where.fail("expected a JSON object");
    const auto it = object.find(key);
    if (it == object.end())
        (where / key).fail("missing");
    return *it;
}

std::string stringOr(const Json& object, const char* key, const std::string& fallback, const Where& where)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return fallback;
    if (!it->is_string())
        (where / key).fail("expected a string");
    return it->get<std::string>();
}

bool boolOr(const Json& object, const char* key, bool fallback, const Where& where)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return fallback;
    if (!it->is_boolean())
        (where / key).fail("expected true or false");
    return it->get<bool>();
}

std::string typeOf(const Json& component, const Where& where)
{
    if (!component.is_object())
        where.fail("expected a JSON object");
    const auto it = component.find("type");
    if (it == component.end() || !it->is_string())
        where.fail("missing its \"type\"");
    return it->get<std::string>();
}

int64_t tokenId(const Json& value, const Where& where)
{
    if (!value.is_number_integer())
        where.fail("token id is not an integer");
    const auto id = value.get<int64_t>();
    if (id < 0 || id >= (int64_t{1} << 31))
        where.fail("token id " + std::to_string(id) + " is out of range");
    return id;
}

} // namespace lorsa::tokenizer_json
