#pragma once
// Diagnostic logging to stderr, off unless asked for (--log-level or STACKUP_LOG_LEVEL), one
// "stackup: LEVEL: message" line each. Never pass a secret value: SecretBytes has no formatter, so
// it cannot be.
#include <fmt/format.h>

#include <string>
#include <string_view>

namespace stackup::base::log {

enum class Level { debug, info, warning, error, off };

// "debug", "info", "warning", "error" or "off"; false for anything else.
bool set_level(std::string_view name);
bool enabled(Level level);
void write(Level level, const std::string& message);

template <class... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(Level::debug)) write(Level::debug, fmt::format(format, std::forward<Args>(args)...));
}

template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(Level::info)) write(Level::info, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace stackup::base::log
