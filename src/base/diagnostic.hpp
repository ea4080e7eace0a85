#pragma once
// Problems found in user input, reported all at once like a compiler does.
#include <string>
#include <vector>

#include "base/source.hpp"

namespace stackup::base {

enum class Severity { warning, error };

// A check that finds problems in user input. Its ID is stable: users name it in --ignore and CI
// tools (SARIF, GitLab Code Quality) group findings by it; the catalogue is compose/rules.hpp.
struct Rule {
  std::string_view id;       // kebab-case, e.g. secret-undefined
  std::string_view summary;  // what it checks, one sentence
  std::string_view help;     // how to fix what it finds
};

struct Diagnostic {
  Severity severity = Severity::error;
  Location location;
  std::string path;     // dotted path into the document, e.g. services.web.secrets[1].mode
  std::string message;  // what is wrong and, where useful, what to do
  const Rule* rule = nullptr;  // every problem in a compose file has one; other inputs' may not
};

class Diagnostics {
 public:
  void error(const Rule& rule, Location location, std::string path, std::string message);
  void warning(const Rule& rule, Location location, std::string path, std::string message);
  void add(Diagnostic diagnostic);
  void append(const Diagnostics& other);

  [[nodiscard]] bool has_errors() const { return error_count_ > 0; }
  [[nodiscard]] int error_count() const { return error_count_; }
  [[nodiscard]] const std::vector<Diagnostic>& all() const { return items_; }
  [[nodiscard]] bool empty() const { return items_.empty(); }

  // Orders by file, line and column (stable, so equal places keep the order they were found in)
  // and drops exact repeats, which several phases can report for one aliased node.
  void sort_and_deduplicate();

 private:
  std::vector<Diagnostic> items_;
  int error_count_ = 0;
};

// `FILE:LINE:COL: error: path: message`, without the source excerpt.
std::string headline(const Diagnostic& diagnostic);

// The headline and, as compilers name a warning's flag, ` [rule-id]`.
std::string headline_with_rule(const Diagnostic& diagnostic);

// The headline with its rule, then the source line and a caret under the column, as compilers print them.
std::string render_text(const Diagnostic& diagnostic);

}  // namespace stackup::base
