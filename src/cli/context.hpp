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
    // no-color.org: NO_COLOR set to a non-empty value turns colour off; empty means unset.
    const auto no_color = environment.get("NO_COLOR");
    return is_terminal && !(no_color && !no_color->empty());
  }
};

}  // namespace stackup::cli
