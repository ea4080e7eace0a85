#include "compose/canonical.hpp"

#include <filesystem>
#include <unordered_map>

#include "compose/model.hpp"

namespace stackup::compose {

std::string PathContext::absolute(const std::string& path) const {
  if (path.empty()) return path;
  std::filesystem::path result;
  if ((path == "~" || path.starts_with("~/")) && !home.empty()) {
    result = std::filesystem::path(home) / path.substr(path.size() > 1 ? 2 : 1);
  } else if (path.starts_with('/')) {
    result = path;
  } else {
    result = std::filesystem::path(project_directory) / path;
  }
  auto text = result.lexically_normal().string();
  if (text.size() > 1 && text.ends_with('/')) text.pop_back();
  return text;
}

namespace {

// A secret named with a path (developer/my-secret, DC/OS's spaces) is mounted, unless told otherwise,
// under the path's last segment (my-secret), whatever its key. Keyed by the secret's key, indexed once:
// a stack can define thousands of secrets.
using PathTargets = std::unordered_map<std::string_view, std::string_view>;

PathTargets path_targets_of(const Node* definitions) {
  PathTargets targets;
  if (!definitions || !definitions->is_mapping()) return targets;
  for (const auto& entry : definitions->entries) {
    const Node* name = entry.value.is_mapping() ? entry.value.find("name") : nullptr;
    if (!name || !name->is_scalar() || name->scalar.find('/') == std::string::npos) continue;
    targets.emplace(entry.key, std::string_view(name->scalar).substr(name->scalar.rfind('/') + 1));
  }
  return targets;
}

Node default_target(const Node& source, const PathTargets& path_targets) {
  const auto it = path_targets.find(source.scalar);
  if (it == path_targets.end()) return source;
  Node target = source;
  target.scalar = it->second;
  return target;
}

void to_long_syntax(Node& list, const PathTargets& path_targets) {
  if (!list.is_sequence()) return;
  for (auto& item : list.items) {
    if (item.is_scalar()) {
      Node long_form = Node::make_mapping(item.location);
      long_form.set("source", item, item.location);
      item = std::move(long_form);
    }
    if (!item.is_mapping()) continue;
    const Node* source = item.find("source");
    if (source && source->is_scalar() && !item.find("target")) {
      item.set("target", default_target(*source, path_targets), source->location);
    }
    if (!item.find("uid")) item.set("uid", Node::make_scalar("0", item.location));
    if (!item.find("gid")) item.set("gid", Node::make_scalar("0", item.location));
    if (!item.find("mode")) item.set("mode", Node::make_scalar("0444", item.location, ScalarStyle::plain));
  }
}

void absolute_scalar(Node* node, const PathContext& paths) {
  if (node && node->is_scalar()) node->scalar = paths.absolute(node->scalar);
}

bool is_relative_host_path(const std::string& source) {
  return source.starts_with('.') || source.starts_with('~');
}

void absolute_bind_sources(Node& volumes, const PathContext& paths) {
  if (!volumes.is_sequence()) return;
  for (auto& item : volumes.items) {
    if (item.is_scalar()) {
      const auto colon = item.scalar.find(':');
      if (colon == std::string::npos) continue;
      const auto source = item.scalar.substr(0, colon);
      if (is_relative_host_path(source)) item.scalar = paths.absolute(source) + item.scalar.substr(colon);
    } else if (item.is_mapping()) {
      const Node* type = item.find("type");
      Node* source = item.find("source");
      if (type && type->scalar == "bind" && source && source->is_scalar() && !source->scalar.starts_with('/')) {
        source->scalar = paths.absolute(source->scalar);
      }
    }
  }
}

// A build context that is a URL (git, https) or another service's image is not a host path.
bool is_host_context(const std::string& context) {
  return context.find("://") == std::string::npos && !context.starts_with("git@") && !context.starts_with("service:");
}

void absolute_service_paths(Node& service, const PathContext& paths) {
  if (!service.is_mapping()) return;
  if (Node* env_file = service.find("env_file")) {
    if (env_file->is_scalar()) {
      absolute_scalar(env_file, paths);
    } else if (env_file->is_sequence()) {
      for (auto& item : env_file->items) absolute_scalar(item.is_mapping() ? item.find("path") : &item, paths);
    }
  }
  if (Node* volumes = service.find("volumes")) absolute_bind_sources(*volumes, paths);
  Node* build = service.find("build");
  Node* context = build && build->is_mapping() ? build->find("context") : build;
  if (context && context->is_scalar() && is_host_context(context->scalar)) absolute_scalar(context, paths);
}

void canonicalize_service(Node& service, const PathTargets& secret_path_targets) {
  if (!service.is_mapping()) return;
  if (Node* secrets = service.find("secrets")) to_long_syntax(*secrets, secret_path_targets);
  if (Node* configs = service.find("configs")) to_long_syntax(*configs, {});
  for (const char* field : {"environment", "labels"}) {
    if (Node* node = service.find(field)) *node = list_or_dict_to_mapping(std::move(*node));
  }
}

}  // namespace

void make_paths_absolute(Node& document, const PathContext& paths) {
  if (!document.is_mapping()) return;
  if (Node* services = document.find("services"); services && services->is_mapping()) {
    for (auto& entry : services->entries) absolute_service_paths(entry.value, paths);
  }
  for (const char* section : {"secrets", "configs"}) {
    Node* definitions = document.find(section);
    if (!definitions || !definitions->is_mapping()) continue;
    for (auto& entry : definitions->entries) {
      if (entry.value.is_mapping()) absolute_scalar(entry.value.find("file"), paths);
    }
  }
}

void make_service_paths_absolute(Node& service, const PathContext& paths) { absolute_service_paths(service, paths); }

void canonicalize(Node& document, const PathContext& paths) {
  if (!document.is_mapping()) return;
  make_paths_absolute(document, paths);
  if (Node* services = document.find("services"); services && services->is_mapping()) {
    const auto secret_path_targets = path_targets_of(document.find("secrets"));
    for (auto& entry : services->entries) canonicalize_service(entry.value, secret_path_targets);
  }
}

}  // namespace stackup::compose
