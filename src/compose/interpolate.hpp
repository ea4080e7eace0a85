#pragma once
// Phase 2: compose-spec interpolation of values (never keys): $VAR, ${VAR}, ${VAR:-d}, ${VAR-d},
// ${VAR:?e}, ${VAR?e}, ${VAR:+a}, ${VAR+a}, nesting, and $$ for a literal $.
#include <cstddef>
#include <expected>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/diagnostic.hpp"
#include "compose/environment.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

// ${A:-${B:-...}} nests at most this deep. Expansion is recursive, so the bound keeps a hostile value
// from overflowing the stack; real files nest two or three levels.
inline constexpr std::size_t max_interpolation_depth = 64;

struct TemplateError {
  enum class Kind { invalid_format, required_missing, too_deep } kind = Kind::invalid_format;
  std::string variable;  // for required_missing
  std::string message;   // the user's message after :? or ?
};

// The message for TemplateError::Kind::too_deep, without the value (which can be huge).
std::string interpolation_too_deep_message();

// Substitutes one string. Names of unset variables that defaulted to blank are added to `unset`.
std::expected<std::string, TemplateError> substitute(std::string_view text, const Environment& environment,
                                                     std::set<std::string, std::less<>>& unset);

// Interpolates every scalar value in the tree. Warns once per unset variable (the first place it is
// used); reports bad templates and required variables as errors at the value.
class Interpolator {
 public:
  Interpolator(const Environment& environment, base::Diagnostics& diagnostics)
      : environment_(environment), diagnostics_(diagnostics) {}
  void run(Node& root);

 private:
  void visit(Node& node);
  [[nodiscard]] std::string path() const;
  [[nodiscard]] bool at_secret_mode() const;

  const Environment& environment_;
  // Where the visit is: keys and list indexes, turned into a dotted path only for a message.
  std::vector<std::variant<std::string_view, std::size_t>> segments_;
  base::Diagnostics& diagnostics_;
  std::set<std::string, std::less<>> warned_;
};

}  // namespace stackup::compose
