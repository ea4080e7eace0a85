#include "deploy/drift.hpp"

#include <fmt/format.h>

#include "deploy/container_config.hpp"
#include "deploy/deployer.hpp"
#include "deploy/plan.hpp"

namespace stackup::deploy {
namespace {

// A running container is kept by deploy while its configuration is unchanged; a stopped one is
// recreated, with its secrets.
constexpr std::string_view restore = "stop the container and run stackup deploy: it is recreated with its secrets";

// What each file of the container's directory should be: its store secret, version, and (with the
// compose file) owner and mode; by file name ("0-db_password").
struct Expected {
  std::string secret;
  std::string version;
  std::optional<compose::FileReference> reference;
};

std::map<std::string, Expected> expected_files(const engine::ContainerSummary& container, const std::string& stack,
                                               const compose::Project* project, const RecordedVersions& recorded) {
  std::map<std::string, Expected> expected;
  const auto versions = held_versions(container, recorded);
  const auto* service = project ? project->find_service(engine::label_value(container.labels, "com.docker.compose.service"))
                                : nullptr;
  if (!service) {
    for (const auto& [secret, version] : versions) expected["?" + secret] = {secret, version, std::nullopt};
    return expected;
  }
  for (std::size_t i = 0; i < service->secrets.size(); ++i) {
    const auto& reference = service->secrets[i];
    const auto name = project->secrets.at(reference.source).object_name(stack);
    const auto it = versions.find(name);
    expected[fmt::format("{}-{}", i, reference.source)] = {name, it == versions.end() ? "" : it->second, reference};
  }
  return expected;
}

void check_file(const MaterializedFile& file, const Expected& wanted, store::Vault& store, const std::string& container,
                std::vector<DriftFinding>& findings) {
  const auto subject = "secret " + wanted.secret;
  auto holds = store.holds_value(wanted.secret, std::atoi(wanted.version.c_str()), file.value);
  if (!holds) {
    findings.push_back({container, subject, holds.error().message, true});
    return;
  }
  if (!*holds) {
    findings.push_back({container, subject, fmt::format("the file is not version {}: {}", wanted.version, restore), true});
    return;
  }
  if (wanted.reference) {
    const auto& r = *wanted.reference;
    if (file.uid != r.uid || file.gid != r.gid || file.mode != r.mode) {
      findings.push_back({container, subject,
                          fmt::format("owner {}:{} mode {:04o}, but the compose file says {}:{} mode {:04o}: {}", file.uid,
                                      file.gid, file.mode, r.uid, r.gid, r.mode, restore),
                          true});
      return;
    }
  }
  findings.push_back({container, subject, fmt::format("ok (version {})", wanted.version), false});
}

base::Result<void> check_container(const engine::ContainerSummary& container, store::Vault& store, SecretFiles& files,
                                   const std::string& stack, const compose::Project* project, const RecordedVersions& recorded,
                                   std::vector<DriftFinding>& findings) {
  if (!container.labels.contains(std::string(hash_label))) {
    findings.push_back({container.name, "container",
                        "not started by stackup (it has the stack's label but not stackup's): remove it", true});
    return {};
  }
  const auto expected = expected_files(container, stack, project, recorded);
  if (expected.empty()) {
    findings.push_back({container.name, "container", "ok (no secrets)", false});
    return {};
  }
  const auto name = secrets_directory_of(container, stack, files);
  auto directory = name.empty() ? base::Result<MaterializedDirectory>(MaterializedDirectory{}) : files.inspect(stack, name);
  if (!directory) return std::unexpected(directory.error());
  if (!directory->found) {
    findings.push_back({container.name, "secrets directory",
                        fmt::format("gone (after a reboot the tmpfs is empty): {}", restore), true});
    return {};
  }
  if (!directory->on_tmpfs) {
    findings.push_back({container.name, "secrets directory", fmt::format("not on a tmpfs: {}", restore), true});
    return {};
  }
  if (directory->should_be_read_only && !directory->read_only) {
    findings.push_back({container.name, "secrets directory", fmt::format("writable, not read-only: {}", restore), true});
  }
  for (const auto& [file_name, wanted] : expected) {
    const MaterializedFile* file = nullptr;
    for (const auto& candidate : directory->files) {
      // Without the compose file, a file holding the secret is looked for by its value.
      const bool by_name = candidate.file_name == file_name;
      const bool by_value = file_name.starts_with('?') && !candidate.file_name.starts_with("config-") &&
                            store.holds_value(wanted.secret, std::atoi(wanted.version.c_str()), candidate.value).value_or(false);
      if (by_name || by_value) file = &candidate;
    }
    if (!file) {
      const auto status = file_name.starts_with('?')
                              ? fmt::format("no file in its directory holds version {}: {}", wanted.version, restore)
                              : fmt::format("its file is missing: {}", restore);
      findings.push_back({container.name, "secret " + wanted.secret, status, true});
      continue;
    }
    check_file(*file, wanted, store, container.name, findings);
  }
  return {};
}

}  // namespace

base::Result<std::vector<DriftFinding>> check_drift(engine::Engine& engine, store::Vault& store, SecretFiles& files,
                                                    const std::string& stack, const compose::Project* project) {
  auto containers = engine.list_containers(fmt::format("{}={}", namespace_label, stack));
  if (!containers) return std::unexpected(containers.error());
  std::sort(containers->begin(), containers->end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  auto recorded = recorded_versions(store, stack);
  if (!recorded) return std::unexpected(recorded.error());
  std::vector<DriftFinding> findings;
  for (const auto& container : *containers) {
    if (container.labels.contains(std::string(swarm_task_label))) continue;  // a Swarm task: Swarm keeps its secrets
    if (auto ok = check_container(container, store, files, stack, project, *recorded, findings); !ok) {
      return std::unexpected(ok.error());
    }
  }
  return findings;
}

}  // namespace stackup::deploy
