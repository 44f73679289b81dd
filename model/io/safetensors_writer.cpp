#include "model/core/atomic_file.h"
#include "model/core/error.h"
#include "model/io/storage_dtype.h"
#include "model/io/tensor_source.h"

#include <nlohmann/json.hpp>

#include <set>

namespace lorsa {

void writeSafetensors(const std::filesystem::path& file, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    // ordered_json keeps "__metadata__" first and the tensors in the caller's order, as the
    // bytes are laid out, which makes the header easy to read by eye.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;

    std::vector<at::Tensor> contiguous;
    std::set<std::string> seen;
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        if (name == "__metadata__" || !seen.insert(name).second)
            throw Error(ErrorKind::InvalidInput, file.string() + ": cannot write tensor name '" + name + "' twice or as a reserved name");
        if (!tensor.defined())
            throw Error(ErrorKind::InvalidInput, file.string() + ": tensor '" + name + "' is undefined");
        const auto dtype = safetensorsDtype(tensor.scalar_type());
        if (!dtype)
            throw Error(ErrorKind::Unsupported, file.string() + ": tensor '" + name + "' has dtype " +
                                                    std::string(c10::toString(tensor.scalar_type())) + " which safetensors cannot hold");
        auto data = tensor.detach().to(at::kCPU).contiguous();
        const auto bytes = static_cast<uint64_t>(data.numel()) * dtype->elementSize;
        header[name] = {{"dtype", dtype->name}, {"shape", data.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        contiguous.push_back(std::move(data));
    }

    std::string text = header.dump();
    // Pad with spaces to a multiple of 8 as the Rust library does, so that the data region starts
    // 8-aligned and readers can alias F64/I64 tensors without copying.
    text.append((8 - text.size() % 8) % 8, ' ');
    writeFileAtomically(file, [&](std::ostream& out) {
        uint8_t length[8];
        for (int i = 0; i < 8; ++i)
            length[i] = static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i));
        out.write(reinterpret_cast<const char*>(length), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& data : contiguous)
            if (data.nbytes() != 0)
                out.write(static_cast<const char*>(data.data_ptr()), static_cast<std::streamsize>(data.nbytes()));
    });
}

} // namespace lorsa
