#include "tests/fuzz/fuzz_scratch.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace lorsa::fuzz {

namespace {

std::filesystem::path makeScratchDir()
{
    std::filesystem::path base = "/dev/shm";  // tmpfs: millions of small writes stay off the disk
    if (!std::filesystem::is_directory(base))
        base = std::filesystem::temp_directory_path();
    auto dir = base / ("lorsa-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

struct ScratchOwner {
    std::filesystem::path dir = makeScratchDir();
    ~ScratchOwner()
    {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
};

} // namespace

const std::filesystem::path& scratchDir()
{
    static const ScratchOwner owner;
    return owner.dir;
}

std::filesystem::path writeScratch(const std::string& name, const uint8_t* data, size_t size)
{
    const auto file = scratchDir() / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out)
        throw std::runtime_error("cannot write " + file.string());  // the harness, not the engine
    return file;
}

std::filesystem::path writeScratch(const std::string& name, const std::string& content)
{
    return writeScratch(name, reinterpret_cast<const uint8_t*>(content.data()), content.size());
}

void readAll(const TensorSource& source)
{
    for (const auto& name : source.names()) {
        (void)source.info(name);
        const at::Tensor tensor = source.load(name).contiguous();
        const auto* bytes = static_cast<const uint8_t*>(tensor.data_ptr());
        uint8_t sum = 0;
        for (size_t i = 0; i < tensor.nbytes(); ++i)
            sum = static_cast<uint8_t>(sum + bytes[i]);
        volatile uint8_t sink = sum;
        (void)sink;
    }
    (void)source.metadata();
}

std::string sourceFile(const std::string& relativePath)
{
    std::ifstream in(std::filesystem::path(LORSA_SOURCE_DIR) / relativePath, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + relativePath);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace lorsa::fuzz
