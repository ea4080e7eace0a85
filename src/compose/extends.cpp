#include "compose/extends.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "compose/canonical.hpp"
#include "compose/merge.hpp"
#include "compose/rules.hpp"
#include "compose/suggest.hpp"

namespace stackup::compose {
namespace {

struct Reference {
  std::string service;
  std::string file;  // empty: the same file
  const Node* file_node = nullptr;
};

// The schema has checked the shape: a service name, or {service, file}.
std::optional<Reference> reference_of(const Node& extends) {
  if (extends.is_scalar()) return Reference{extends.scalar, {}, nullptr};
  const Node* service = extends.find("service");
  if (!service || !service->is_scalar()) return std::nullopt;
  const Node* file = extends.find("file");
  return Reference{service->scalar, text_of(file), file};
}

std::string path_in(const std::string& directory, const std::string& path) {
  const auto result = path.starts_with('/') ? std::filesystem::path(path) : std::filesystem::path(directory) / path;
  return result.lexically_normal().string();
}

std::vector<std::string> service_names(const Node* services) {
  std::vector<std::string> names;
  if (services && services->is_mapping()) {
    for (const auto& entry : services->entries) names.push_back(entry.key);
  }
  return names;
}

}  // namespace

Node* ExtendsResolver::File::service(const std::string& name) {
  Node* services = root && root->is_mapping() ? root->find("services") : nullptr;
  if (!services || !services->is_mapping()) return nullptr;
  if (positions.empty()) {
    for (std::size_t i = 0; i < services->entries.size(); ++i) positions.emplace(services->entries[i].key, i);
  }
  const auto it = positions.find(name);
  return it == positions.end() ? nullptr : &services->entries[it->second].value;
}

void ExtendsResolver::resolve(Node& root, const std::string& shown_name, const std::string& directory) {
  Node* services = root.is_mapping() ? root.find("services") : nullptr;
  if (!services || !services->is_mapping()) return;
  // A file of the project itself: its relative paths count from the project directory and are made
  // absolute later, with everything else.
  File file{&root, shown_name, directory, false, {}, {}, {}};
  // Only a service with `extends:` changes here; looking each one up by name would be quadratic.
  // Resolving one replaces services' values, never the list of services, so the names stay put.
  for (std::size_t i = 0; i < services->entries.size(); ++i) {
    const Node& service = services->entries[i].value;
    if (!service.is_mapping() || !service.find("extends")) continue;
    const std::string name = services->entries[i].key;
    resolved_service(file, name);
  }
}

const Node* ExtendsResolver::resolved_service(File& file, const std::string& name) {
  Node* service = file.service(name);
  if (!service || file.failed.contains(name)) return nullptr;
  if (file.done.contains(name)) return service;
  const Node* extends = service->is_mapping() ? service->find("extends") : nullptr;
  const auto on_chain = std::find_if(chain_.begin(), chain_.end(),
                                     [&](const Step& step) { return step.file == &file && step.service == name; });
  if (on_chain != chain_.end()) {
    report_cycle(file, name, *extends);
    return nullptr;
  }
  std::optional<Reference> reference = extends ? reference_of(*extends) : std::nullopt;
  if (reference) {
    chain_.push_back({&file, name});
    File* base_file = reference->file.empty()
                          ? &file
                          : other_file(path_in(file.directory, reference->file), reference->file_node->location);
    const Node* base = nullptr;
    if (base_file && !base_file->service(reference->service)) {
      report_missing(file, *base_file, name, reference->service, *extends);
    } else if (base_file) {
      base = resolved_service(*base_file, reference->service);
    }
    chain_.pop_back();
    // The recursion may have changed other services of this file, never moved this one.
    service = file.service(name);
    // A service that cannot be resolved keeps its `extends:`, which tells later checks not to ask
    // it for what the base would have given.
    if (!base) {
      file.failed.insert(name);
      return nullptr;
    }
    Node merged = *base;
    service->erase("extends");
    merge_service(merged, std::move(*service));
    *service = std::move(merged);
  }
  if (file.rebase) make_service_paths_absolute(*service, PathContext{file.directory, home_});
  file.done.insert(name);
  return service;
}

ExtendsResolver::File* ExtendsResolver::other_file(const std::string& path, const base::Location& named_at) {
  if (const auto it = files_.find(path); it != files_.end()) return it->second.get();
  auto root = load_file_(path, named_at);
  if (!root) {
    files_.emplace(path, nullptr);  // reported once, not once per service naming it
    return nullptr;
  }
  roots_.push_back(std::make_unique<Node>(std::move(*root)));
  const auto& source = roots_.back()->location.source;
  const auto shown = source ? source->name : path;
  auto file = std::make_unique<File>(File{roots_.back().get(), shown, std::filesystem::path(path).parent_path().string(),
                                          true, {}, {}, {}});
  return files_.emplace(path, std::move(file)).first->second.get();
}

void ExtendsResolver::report_cycle(const File& file, const std::string& name, const Node& extends) {
  const auto start = std::find_if(chain_.begin(), chain_.end(),
                                  [&](const Step& step) { return step.file == &file && step.service == name; });
  const bool several_files = std::any_of(start, chain_.end(), [&](const Step& step) { return step.file != &file; });
  auto named = [&](const Step& step) {
    return several_files ? fmt::format("{} ({})", step.service, step.file->shown) : step.service;
  };
  std::string cycle;
  for (auto it = start; it != chain_.end(); ++it) cycle += named(*it) + " extends ";
  cycle += named({&file, name});
  diagnostics_.error(rules::extends_cycle, extends.location, fmt::format("services.{}.extends", name),
                     fmt::format("services extend each other in a cycle: {}; break it by moving what they share "
                                 "into a service that extends nothing",
                                 cycle));
}

void ExtendsResolver::report_missing(const File& from, const File& in, const std::string& service_name,
                                     const std::string& name, const Node& at) {
  const auto where = &from == &in ? std::string("in this file") : fmt::format("in {}", in.shown);
  auto message = fmt::format("extends service \"{}\", which is not defined {}", name, where);
  Node* services = in.root->is_mapping() ? in.root->find("services") : nullptr;
  if (const auto closest = closest_match(name, service_names(services))) {
    message += fmt::format("; did you mean \"{}\"?", *closest);
  }
  diagnostics_.error(rules::extends_undefined, at.location, fmt::format("services.{}.extends", service_name),
                     std::move(message));
}

}  // namespace stackup::compose
