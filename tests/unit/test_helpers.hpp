#pragma once
// Loading compose text from memory, and diagnostics as the lines a user would read.
#include <string>
#include <vector>

#include "base/diagnostic.hpp"
#include "compose/filesystem.hpp"
#include "compose/loader.hpp"

namespace stackup::testing {

// The project directory of in-memory projects.
inline constexpr const char* project_dir = "/project";

struct MemoryProject {
  compose::MemoryFileSystem files;
  compose::LoadOptions options;

  MemoryProject() {
    options.working_directory = project_dir;
    options.environment.set("HOME", "/home/user");
  }
  MemoryProject& file(const std::string& name, std::string text) {
    files.add(std::string(project_dir) + "/" + name, std::move(text));
    return *this;
  }
  compose::LoadedProject load() const { return compose::load_project(options, files); }
};

// Loads `text` as /project/compose.yaml.
inline compose::LoadedProject load_text(std::string text) {
  MemoryProject project;
  project.file("compose.yaml", std::move(text));
  return project.load();
}

// Every diagnostic's headline (FILE:LINE:COL: severity: path: message).
inline std::vector<std::string> headlines(const base::Diagnostics& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics.all()) out.push_back(base::headline(d));
  return out;
}

// The same with each diagnostic's rule: what the fixtures' .expected files hold.
inline std::vector<std::string> headlines_with_rules(const base::Diagnostics& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics.all()) out.push_back(base::headline_with_rule(d));
  return out;
}

}  // namespace stackup::testing
