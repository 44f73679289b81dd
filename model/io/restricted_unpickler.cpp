#include "model/io/restricted_unpickler.h"

#include "model/core/error.h"

#include <cstring>

namespace lorsa {
namespace {

// Bounds a hostile program's memory: a state dict pickle builds a few values per tensor.
constexpr size_t kMaxValues = size_t(1) << 22;
constexpr size_t kMaxDims = 64;

const char* const kStorageTypes[][2] = {
    {"DoubleStorage", "F64"}, {"FloatStorage", "F32"}, {"HalfStorage", "F16"}, {"BFloat16Storage", "BF16"},
    {"LongStorage", "I64"},   {"IntStorage", "I32"},   {"ShortStorage", "I16"}, {"CharStorage", "I8"},
    {"ByteStorage", "U8"},    {"BoolStorage", "BOOL"},
};

bool isCallable(const std::string& global)
{
    return global == "collections.OrderedDict" || global == "torch._utils._rebuild_tensor_v2" ||
           global == "torch._utils._rebuild_parameter" || global == "torch._utils._rebuild_parameter_with_state" ||
           global == "torch.device";
}

} // namespace

RestrictedUnpickler::RestrictedUnpickler(const std::filesystem::path& file, const uint8_t* data, uint64_t size)
    : m_file(file), m_data(data), m_size(size)
{
}

void RestrictedUnpickler::fail(const std::string& problem) const
{
    throw Error(ErrorKind::InvalidFile, m_file.string() + ": data.pkl " + problem);
}

void RestrictedUnpickler::refuse(const std::string& what) const
{
    throw Error(ErrorKind::InvalidFile, m_file.string() + ": pickle uses '" + what + "' which a state dict never needs; refusing to run it");
}

const uint8_t* RestrictedUnpickler::take(uint64_t count)
{
    if (count > m_size - m_position)
        fail("ends in the middle of an opcode at byte " + std::to_string(m_position) + " (truncated?)");
    const uint8_t* bytes = m_data + m_position;
    m_position += count;
    return bytes;
}

uint64_t RestrictedUnpickler::readLE(int bytes)
{
    const uint8_t* raw = take(static_cast<uint64_t>(bytes));
    uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; --i)
        value = (value << 8) | raw[i];
    return value;
}

std::string RestrictedUnpickler::readLine()
{
    std::string line;
    while (true) {
        const char c = static_cast<char>(*take(1));
        if (c == '\n')
            return line;
        if (line.size() >= 256)
            fail("has a GLOBAL name longer than 256 bytes");
        line += c;
    }
}

size_t RestrictedUnpickler::push(PickleValue value)
{
    if (m_values.size() >= kMaxValues)
        fail("builds more than " + std::to_string(kMaxValues) + " values; not a state dict");
    m_values.push_back(std::move(value));
    pushIndex(m_values.size() - 1);
    return m_values.size() - 1;
}

size_t RestrictedUnpickler::push(PickleValue::Kind kind)
{
    PickleValue value;
    value.kind = kind;
    return push(std::move(value));
}

void RestrictedUnpickler::pushIndex(size_t index)
{
    if (m_stack.size() >= kMaxValues)
        fail("grows its stack past " + std::to_string(kMaxValues) + " entries; not a state dict");
    m_stack.push_back(index);
}

size_t RestrictedUnpickler::pop()
{
    if (m_stack.empty() || (!m_marks.empty() && m_stack.size() <= m_marks.back()))
        fail("pops an empty stack at byte " + std::to_string(m_position));
    const size_t index = m_stack.back();
    m_stack.pop_back();
    return index;
}

size_t RestrictedUnpickler::top() const
{
    if (m_stack.empty() || (!m_marks.empty() && m_stack.size() <= m_marks.back()))
        fail("reads an empty stack at byte " + std::to_string(m_position));
    return m_stack.back();
}

std::vector<size_t> RestrictedUnpickler::popToMark()
{
    if (m_marks.empty())
        fail("has no MARK before byte " + std::to_string(m_position));
    const size_t mark = m_marks.back();
    m_marks.pop_back();
    std::vector<size_t> items(m_stack.begin() + static_cast<std::ptrdiff_t>(mark), m_stack.end());
    m_stack.resize(mark);
    return items;
}

void RestrictedUnpickler::memoize(uint64_t key, size_t index)
{
    if (m_memo.size() >= kMaxValues && m_memo.count(key) == 0)
        fail("memoizes more than " + std::to_string(kMaxValues) + " values; not a state dict");
    m_memo[key] = index;
}

size_t RestrictedUnpickler::memoGet(uint64_t key) const
{
    const auto found = m_memo.find(key);
    if (found == m_memo.end())
        fail("reads memo entry " + std::to_string(key) + " which was never stored");
    return found->second;
}

size_t RestrictedUnpickler::makeGlobal(const std::string& module, const std::string& name)
{
    const std::string global = module + "." + name;
    bool allowed = isCallable(global);
    if (module == "torch")
        for (const auto& type : kStorageTypes)
            allowed = allowed || name == type[0];
    if (!allowed)
        refuse(global);
    PickleValue value;
    value.kind = PickleValue::Kind::Global;
    value.text = global;
    return push(std::move(value));
}

std::vector<int64_t> RestrictedUnpickler::intTuple(size_t index, const char* what) const
{
    const auto& tuple = at(index);
    if (tuple.kind != PickleValue::Kind::Tuple || tuple.items.size() > kMaxDims)
        fail(std::string("gives a tensor ") + what + " that is not a tuple of at most 64 integers");
    std::vector<int64_t> values;
    for (const size_t item : tuple.items) {
        if (at(item).kind != PickleValue::Kind::Int || at(item).integer < 0)
            fail(std::string("gives a tensor ") + what + " with an entry that is not a non-negative integer");
        values.push_back(at(item).integer);
    }
    return values;
}

size_t RestrictedUnpickler::persistentStorage(size_t pid)
{
    // ('storage', torch.<T>Storage, key, location, numel) as torch/serialization.py persistent_id
    // writes it in torch 1.x and 2.x. The location ('cpu', 'cuda:0', ...) is ignored: we load to CPU.
    const auto& tuple = at(pid);
    if (tuple.kind != PickleValue::Kind::Tuple || tuple.items.size() != 5 || at(tuple.items[0]).kind != PickleValue::Kind::String ||
        at(tuple.items[0]).text != "storage")
        fail("has a persistent id that is not a ('storage', type, key, location, numel) tuple");
    const auto& type = at(tuple.items[1]);
    const auto& key = at(tuple.items[2]);
    const auto& location = at(tuple.items[3]);
    const auto& numel = at(tuple.items[4]);
    if (type.kind != PickleValue::Kind::Global || key.kind != PickleValue::Kind::String ||
        location.kind != PickleValue::Kind::String || numel.kind != PickleValue::Kind::Int || numel.integer < 0)
        fail("has a storage persistent id with wrong field types");
    PickleValue storage;
    storage.kind = PickleValue::Kind::Storage;
    for (const auto& known : kStorageTypes)
        if (type.text == std::string("torch.") + known[0])
            storage.storageDtype = *safetensorsDtype(known[1]);
    if (storage.storageDtype.name.empty())
        refuse(type.text + " as a storage type");
    storage.text = key.text;
    storage.storageNumel = numel.integer;
    return push(std::move(storage));
}

size_t RestrictedUnpickler::rebuildTensor(const std::vector<size_t>& args)
{
    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    if (args.size() != 6 && args.size() != 7)
        fail("calls _rebuild_tensor_v2 with " + std::to_string(args.size()) + " arguments");
    const auto& storage = at(args[0]);
    if (storage.kind != PickleValue::Kind::Storage)
        fail("calls _rebuild_tensor_v2 without a storage");
    if (at(args[1]).kind != PickleValue::Kind::Int || at(args[1]).integer < 0)
        fail("gives a tensor a storage offset that is not a non-negative integer");
    PickleValue tensor;
    tensor.kind = PickleValue::Kind::Tensor;
    tensor.items = {args[0]};
    tensor.storageOffset = at(args[1]).integer;
    tensor.sizes = intTuple(args[2], "size");
    tensor.strides = intTuple(args[3], "stride");
    if (tensor.sizes.size() != tensor.strides.size())
        fail("gives a tensor " + std::to_string(tensor.sizes.size()) + " sizes but " + std::to_string(tensor.strides.size()) + " strides");
    return push(std::move(tensor));
}

size_t RestrictedUnpickler::reduce(size_t callable, size_t args)
{
    const auto& function = at(callable);
    if (function.kind != PickleValue::Kind::Global || !isCallable(function.text))
        refuse(function.kind == PickleValue::Kind::Global ? function.text + "()" : "REDUCE on a non-callable");
    if (at(args).kind != PickleValue::Kind::Tuple)
        fail("calls " + function.text + " without an argument tuple");
    const std::vector<size_t> arguments = at(args).items;
    if (function.text == "collections.OrderedDict") {
        if (!arguments.empty())
            refuse("collections.OrderedDict with arguments");
        PickleValue dict;
        dict.kind = PickleValue::Kind::Dict;
        return push(std::move(dict));
    }
    if (function.text == "torch._utils._rebuild_tensor_v2")
        return rebuildTensor(arguments);
    if (function.text == "torch.device") {
        if (arguments.empty() || arguments.size() > 2 || at(arguments[0]).kind != PickleValue::Kind::String)
            fail("calls torch.device with unexpected arguments");
        PickleValue device;
        device.kind = PickleValue::Kind::Device;
        device.text = at(arguments[0]).text;
        return push(std::move(device));
    }
    // _rebuild_parameter(data, requires_grad, backward_hooks[, state]): the data tensor is the value.
    if (arguments.size() < 3 || arguments.size() > 4 || at(arguments[0]).kind != PickleValue::Kind::Tensor)
        fail("calls " + function.text + " with unexpected arguments");
    pushIndex(arguments[0]);
    return arguments[0];
}

size_t RestrictedUnpickler::run()
{
    while (true) {
        const uint8_t opcode = *take(1);
        switch (opcode) {
        case 0x80: // PROTO
            if (*take(1) > 5)
                fail("uses an unknown pickle protocol");
            break;
        case 0x95: // FRAME: framing is only a buffering hint
            take(8);
            break;
        case '}': push(PickleValue::Kind::Dict); break;
        case ']': push(PickleValue::Kind::List); break;
        case ')': push(PickleValue::Kind::Tuple); break;
        case '(':
            if (m_marks.size() >= kMaxValues)
                fail("nests more than " + std::to_string(kMaxValues) + " MARKs; not a state dict");
            m_marks.push_back(m_stack.size());
            break;
        case 't': case 0x85: case 0x86: case 0x87: { // TUPLE, TUPLE1..3
            PickleValue tuple;
            tuple.kind = PickleValue::Kind::Tuple;
            if (opcode == 't') {
                tuple.items = popToMark();
            } else {
                tuple.items.resize(opcode - 0x84u);
                for (auto item = tuple.items.rbegin(); item != tuple.items.rend(); ++item)
                    *item = pop();
            }
            push(std::move(tuple));
            break;
        }
        case 'X': case 0x8c: case 0x8d: case 'T': case 'U': case 'B': case 'C': { // strings and bytes
            const int lengthBytes = (opcode == 0x8c || opcode == 'U' || opcode == 'C') ? 1 : opcode == 0x8d ? 8 : 4;
            const uint64_t length = readLE(lengthBytes);
            const uint8_t* bytes = take(length);
            PickleValue text;
            text.kind = (opcode == 'B' || opcode == 'C') ? PickleValue::Kind::Bytes : PickleValue::Kind::String;
            text.text.assign(reinterpret_cast<const char*>(bytes), static_cast<size_t>(length));
            push(std::move(text));
            break;
        }
        case 'J': case 'K': case 'M': { // BININT (signed 4), BININT1, BININT2 (unsigned)
            const uint64_t raw = readLE(opcode == 'J' ? 4 : opcode == 'K' ? 1 : 2);
            PickleValue number;
            number.kind = PickleValue::Kind::Int;
            number.integer = opcode == 'J' ? static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(raw))) : static_cast<int64_t>(raw);
            push(std::move(number));
            break;
        }
        case 0x8a: { // LONG1: little-endian two's complement of n bytes
            const uint64_t length = *take(1);
            if (length > 8)
                fail("holds an integer wider than 64 bits");
            const uint64_t raw = length ? readLE(static_cast<int>(length)) : 0;
            PickleValue number;
            number.kind = PickleValue::Kind::Int;
            const unsigned shift = static_cast<unsigned>(64 - 8 * length);
            number.integer = length ? static_cast<int64_t>(raw << shift) >> shift : 0;
            push(std::move(number));
            break;
        }
        case 'G': { // BINFLOAT: big-endian IEEE double
            const uint8_t* raw = take(8);
            uint64_t bits = 0;
            for (int i = 0; i < 8; ++i)
                bits = (bits << 8) | raw[i];
            PickleValue number;
            number.kind = PickleValue::Kind::Float;
            std::memcpy(&number.real, &bits, 8);
            push(std::move(number));
            break;
        }
        case 'N': push(PickleValue::Kind::None); break;
        case 0x88: case 0x89: {
            PickleValue flag;
            flag.kind = PickleValue::Kind::Bool;
            flag.boolean = opcode == 0x88;
            push(std::move(flag));
            break;
        }
        case 'q': memoize(readLE(1), top()); break;
        case 'r': memoize(readLE(4), top()); break;
        case 0x94: memoize(m_memo.size(), top()); break;
        case 'h': pushIndex(memoGet(readLE(1))); break;
        case 'j': pushIndex(memoGet(readLE(4))); break;
        case 's': case 'u': { // SETITEM, SETITEMS
            std::vector<size_t> pairs;
            if (opcode == 's') {
                const size_t value = pop();
                pairs = {pop(), value};
            } else {
                pairs = popToMark();
            }
            if (pairs.size() % 2 != 0)
                fail("has SETITEMS with an odd number of items");
            const size_t dict = top();
            if (at(dict).kind != PickleValue::Kind::Dict)
                fail("sets items on something that is not a dict");
            m_values[dict].items.insert(m_values[dict].items.end(), pairs.begin(), pairs.end());
            break;
        }
        case 'a': case 'e': { // APPEND, APPENDS
            std::vector<size_t> items;
            if (opcode == 'a')
                items = {pop()};
            else
                items = popToMark();
            const size_t list = top();
            if (at(list).kind != PickleValue::Kind::List)
                fail("appends to something that is not a list");
            m_values[list].items.insert(m_values[list].items.end(), items.begin(), items.end());
            break;
        }
        case 'c': { // GLOBAL "module\nname\n"
            const std::string module = readLine();
            makeGlobal(module, readLine());
            break;
        }
        case 0x93: { // STACK_GLOBAL
            const size_t name = pop();
            const size_t module = pop();
            if (at(name).kind != PickleValue::Kind::String || at(module).kind != PickleValue::Kind::String)
                fail("has STACK_GLOBAL without two strings");
            makeGlobal(at(module).text, at(name).text);
            break;
        }
        case 'R': { // REDUCE
            const size_t args = pop();
            reduce(pop(), args);
            break;
        }
        case 'b': { // BUILD: an OrderedDict's state carries `_metadata`, which we do not need
            pop();
            if (at(top()).kind != PickleValue::Kind::Dict)
                refuse("BUILD on something other than an OrderedDict");
            break;
        }
        case 'Q': persistentStorage(pop()); break;
        case '.': { // STOP
            const size_t result = pop();
            if (!m_stack.empty() || !m_marks.empty())
                fail("stops with values left on the stack");
            return result;
        }
        default: {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", opcode);
            refuse(std::string("opcode ") + hex);
        }
        }
    }
}

} // namespace lorsa
