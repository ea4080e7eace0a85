#include "base/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace stackup::base::log {
namespace {

Level current = Level::off;

spdlog::logger& logger() {
  static auto instance = [] {
    auto created = spdlog::stderr_logger_st("stackup");
    created->set_pattern("stackup: %l: %v");
    created->set_level(spdlog::level::trace);
    return created;
  }();
  return *instance;
}

}  // namespace

bool set_level(std::string_view name) {
  if (name == "debug") current = Level::debug;
  else if (name == "info") current = Level::info;
  else if (name == "warning") current = Level::warning;
  else if (name == "error") current = Level::error;
  else if (name == "off") current = Level::off;
  else return false;
  return true;
}

bool enabled(Level level) { return current != Level::off && level >= current; }

void write(Level level, const std::string& message) {
  switch (level) {
    case Level::debug: logger().debug(message); break;
    case Level::info: logger().info(message); break;
    case Level::warning: logger().warn(message); break;
    case Level::error: logger().error(message); break;
    case Level::off: break;
  }
}

}  // namespace stackup::base::log
