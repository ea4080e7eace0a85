#include "base/log.hpp"

#include <cstdio>

namespace stackup::base::log {
namespace {

Level current = Level::off;

std::string_view name_of(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warning: return "warning";
    case Level::error: return "error";
    case Level::off: break;
  }
  return "off";
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

// One fwrite per line: stdio locks the stream for it, so lines from the deploy's threads never interleave.
void write(Level level, const std::string& message) {
  if (level == Level::off) return;
  const std::string line = fmt::format("stackup: {}: {}\n", name_of(level), message);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace stackup::base::log
