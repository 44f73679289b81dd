#include "model/core/log.h"

#include <spdlog/spdlog.h>

#include <mutex>

namespace lorsa {

std::shared_ptr<spdlog::logger> logger(const std::string& subsystem)
{
    static std::mutex mutex;
    const std::lock_guard<std::mutex> lock(mutex);
    if (auto existing = spdlog::get(subsystem))
        return existing;
    const auto defaults = spdlog::default_logger();
    auto created = std::make_shared<spdlog::logger>(subsystem, defaults->sinks().begin(), defaults->sinks().end());
    created->set_level(defaults->level());
    spdlog::register_logger(created);
    return created;
}

} // namespace lorsa
