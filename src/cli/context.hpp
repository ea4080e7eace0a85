#pragma once
// What every command gets: the streams, the environment, where it runs, and whether to use colour.
#include <string>

#include "cli/app.hpp"
#include "compose/environment.hpp"

namespace stackup::cli {

struct Context {
  Io io;
  compose::Environment environment;
  std::string working_directory;

  // An environment variable's value, or "" when it is not set.
  [[nodiscard]] std::string variable(std::string_view name) const {
    const auto value = environment.get(name);
    return value ? std::string(*value) : std::string();
  }

  // Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
  [[nodiscard]] bool color_for(bool is_terminal) const {
    return is_terminal && !environment.get("NO_COLOR").has_value();
  }
};

}  // namespace stackup::cli
