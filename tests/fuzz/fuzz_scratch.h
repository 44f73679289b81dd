#pragma once
// Shared by the libFuzzer harnesses: the engine opens files by path, so each input is written
// to a per-process scratch folder (on tmpfs when there is one) and opened from there.

#include "model/io/tensor_source.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace lorsa::fuzz {

/// This process's scratch folder, created on first use and removed at exit.
const std::filesystem::path& scratchDir();

/// Writes \p size bytes to scratchDir()/name (creating parent folders); returns the path.
std::filesystem::path writeScratch(const std::string& name, const uint8_t* data, size_t size);
std::filesystem::path writeScratch(const std::string& name, const std::string& content);

/// Reads every tensor of \p source through info() and load() and touches all its bytes, so that
/// a layout the validation let through but that points outside the file faults here.
void readAll(const TensorSource& source);

/// A file of the source tree (fixtures, test data), for harnesses' initialisation.
std::string sourceFile(const std::string& relativePath);

} // namespace lorsa::fuzz
