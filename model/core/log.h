#pragma once
/// \file
/// The engine's named loggers: one per subsystem ("engine", "atlas", "training", ...), all
/// writing to the default sink at the level set once for the program (spdlog::set_level), so
/// that a line says which part of the program wrote it.

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace lorsa {

/// The logger of \p subsystem, created on first use.
std::shared_ptr<spdlog::logger> logger(const std::string& subsystem);

} // namespace lorsa
