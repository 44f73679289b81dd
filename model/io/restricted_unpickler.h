#pragma once
/// \file
/// A pickle reader for torch.save state dicts that runs no code.

#include "model/io/pickle_value.h"

#include <cstdint>
#include <filesystem>
#include <unordered_map>
#include <vector>

namespace lorsa {

/// Interprets the pickle opcodes a state dict needs (protocol 2-5 containers, strings, numbers,
/// memo, persistent ids) and only these whitelisted callables: collections.OrderedDict,
/// torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter(_with_state), torch.device
/// and the torch.<T>Storage types as persistent-id arguments. Anything else throws
/// Error(InvalidFile) "<file>: pickle uses '<what>' which a state dict never needs; refusing to
/// run it". Every read, memo index and stack access is checked.
class RestrictedUnpickler {
public:
    /// \p file names the archive in error messages.
    RestrictedUnpickler(const std::filesystem::path& file, const uint8_t* data, uint64_t size);

    /// Runs the program to its STOP; returns the index of the resulting value.
    size_t run();
    const PickleValue& value(size_t index) const { return m_values.at(index); }

private:
    [[noreturn]] void fail(const std::string& problem) const;
    [[noreturn]] void refuse(const std::string& what) const;
    const uint8_t* take(uint64_t count);
    uint64_t readLE(int bytes);
    std::string readLine();
    size_t push(PickleValue value);
    size_t push(PickleValue::Kind kind);
    void pushIndex(size_t index);
    size_t pop();
    size_t top() const;
    std::vector<size_t> popToMark();
    const PickleValue& at(size_t index) const { return m_values[index]; }
    size_t makeGlobal(const std::string& module, const std::string& name);
    size_t reduce(size_t callable, size_t args);
    size_t persistentStorage(size_t pid);
    size_t rebuildTensor(const std::vector<size_t>& args);
    std::vector<int64_t> intTuple(size_t index, const char* what) const;
    void memoize(uint64_t key, size_t index);
    size_t memoGet(uint64_t key) const;

    std::filesystem::path m_file;
    const uint8_t* m_data;
    uint64_t m_size;
    uint64_t m_position = 0;
    std::vector<PickleValue> m_values;
    std::vector<size_t> m_stack;
    std::vector<size_t> m_marks;  // stack heights at each MARK
    std::unordered_map<uint64_t, size_t> m_memo;  // keys are arbitrary u32: not a vector
};

} // namespace lorsa
