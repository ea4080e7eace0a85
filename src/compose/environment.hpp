#pragma once
// The variables interpolation sees: the process environment wins over the .env file (or --env-file).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.hpp"

namespace stackup::compose {

class Environment {
 public:
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  void set(std::string name, std::string value) { values_.insert_or_assign(std::move(name), std::move(value)); }
  // Adds only the names not set yet, so an earlier, stronger source keeps its values.
  void set_default(std::string name, std::string value) { values_.try_emplace(std::move(name), std::move(value)); }

  [[nodiscard]] std::vector<std::string> names() const;

  // From `environ`-style NAME=VALUE strings.
  static Environment from_strings(const std::vector<std::string>& assignments);

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Reads a dotenv file (KEY=VALUE, `export`, comments, single/double quotes, ${VAR} references) into
// `environment` without overriding what is set already. Problems are reported as file:line:col.
void load_env_file(const std::shared_ptr<const base::SourceFile>& source, Environment& environment,
                   base::Diagnostics& diagnostics);

}  // namespace stackup::compose
