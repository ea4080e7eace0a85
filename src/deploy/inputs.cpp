#include "deploy/inputs.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "compose/access_rules.hpp"
#include "compose/filesystem.hpp"
#include "deploy/command_source.hpp"
#include "deploy/parallel.hpp"
#include "store/crypto.hpp"

namespace stackup::deploy {
namespace {

// The loader's orchestrator rules refuse build-only services; a service with neither an image nor a
// build (only a warning there, for override files) cannot deploy either.
base::Result<void> check_service(const compose::Service& service) {
  if (service.image.empty()) {
    return base::fail(fmt::format("service \"{}\" has no image; stackup deploy does not build images (build: is "
                                  "refused): build it first, e.g. docker build -t NAME ., and set image: NAME",
                                  service.name));
  }
  return {};
}

bool same_value(const base::SecretBytes& a, const base::SecretBytes& b) {
  return a.size() == b.size() && store::crypto::equal_in_constant_time({a.bytes(), a.size()}, {b.bytes(), b.size()});
}

// What the store holds under the secret's name: its version, and whether the value differs. Compared
// by decrypting the current version, a read that never initializes or writes the store.
base::Result<void> compare_with_store(SecretInput& input, store::Vault& store) {
  auto info = store.lookup(input.name);
  if (!info) return std::unexpected(info.error());
  if (!*info) return {};  // not stored yet
  input.stored_version = (*info)->version;
  auto stored = store.reveal(input.name, input.stored_version);
  if (!stored) return base::fail(stored.error().message);
  input.changed = !same_value(*stored, input.value);
  return {};
}

base::Result<SecretInput> secret_input(const compose::Project& project, const std::string& key, const std::string& stack,
                                       const Sources& sources) {
  const auto& definition = project.secrets.at(key);
  SecretInput input;
  input.name = definition.object_name(stack);
  input.permission = compose::permission_of(definition.labels);
  switch (definition.source) {
    case compose::SecretSource::external: {
      auto info = sources.store.lookup(input.name);
      if (!info) return std::unexpected(info.error());
      input.external = true;
      if (*info) input.permission = compose::permission_of((*info)->labels);
      if (!*info && sources.orchestrator == compose::Orchestrator::swarm) {
        input.in_store = false;  // the plan looks for it in the swarm
        return input;
      }
      if (!*info) {
        return base::fail(fmt::format("secret not found: {}; create it first: stackup secret create {} FILE", input.name,
                                      input.name));
      }
      input.stored_version = (*info)->version;
      auto value = sources.store.reveal(input.name, input.stored_version);  // the version the plan names
      if (!value) return base::fail(value.error().message);
      input.value = std::move(*value);
      return input;
    }
    case compose::SecretSource::driver:
      input.driver = definition.driver;
      input.in_store = false;
      return input;
    case compose::SecretSource::command: {
      auto value = run_secret_command(definition.command, definition.command_timeout);
      if (!value) return base::fail(fmt::format("secret \"{}\": {}", key, value.error().message));
      input.value = std::move(*value);
      break;
    }
    case compose::SecretSource::environment: {
      const auto value = sources.environment.get(definition.environment);
      if (!value) return base::fail(fmt::format("secret \"{}\": environment variable {} is not set", key, definition.environment));
      input.value = base::SecretBytes(*value);
      break;
    }
    default: {
      auto value = sources.files.read_secret(definition.file);
      if (!value) return base::fail(fmt::format("secret \"{}\": {}: {}", key, definition.file, value.error().message));
      input.value = std::move(*value);
    }
  }
  if (auto compared = compare_with_store(input, sources.store); !compared) return std::unexpected(compared.error());
  return input;
}

base::Result<ConfigInput> config_input(const compose::Project& project, const std::string& key, const Sources& sources) {
  const auto& definition = project.configs.at(key);
  ConfigInput input;
  if (definition.source == compose::SecretSource::external) {
    input.external = true;
    return input;
  }
  if (!definition.file.empty()) {
    auto text = sources.files.read(definition.file);
    if (!text) return base::fail(fmt::format("config \"{}\": {}: {}", key, definition.file, text.error().message));
    input.value = base::SecretBytes(*text);
  } else if (definition.source == compose::SecretSource::environment) {
    const auto value = sources.environment.get(definition.environment);
    if (!value) return base::fail(fmt::format("config \"{}\": environment variable {} is not set", key, definition.environment));
    input.value = base::SecretBytes(*value);
  } else {
    input.value = base::SecretBytes(definition.content);
  }
  auto fingerprint = sources.store.fingerprint(input.value);
  if (fingerprint) {
    input.fingerprint = std::move(*fingerprint);
  } else if (!sources.store_may_be_missing) {
    return base::fail(fingerprint.error().message);
  }
  return input;
}

// Reads a service's env_files once; a missing file (unless `required: false`) or a bad line stops
// the deploy, saying where.
base::Result<compose::Environment> env_files_of(const compose::Service& service, const compose::FileSystem& files) {
  compose::Environment values;
  for (const auto& path : service.env_files) {
    if (service.optional_env_files.contains(path) && !files.status(path).exists) continue;
    auto text = files.read(path);
    if (!text) return base::fail(fmt::format("service \"{}\": env file {}: {}", service.name, path, text.error().message));
    base::Diagnostics diagnostics;
    compose::load_env_file(std::make_shared<const base::SourceFile>(base::SourceFile{path, std::move(*text)}), values,
                           diagnostics);
    if (diagnostics.has_errors()) return base::fail(base::headline(diagnostics.all().front()));
  }
  return values;
}

// Validation checked what the file shows; an external secret's label is the store's, known only now.
base::Result<void> check_access(const compose::Project& project, const compose::Service& service, const SecretInput& input,
                                const std::string& stack) {
  if (auto violation = compose::space_violation(service.name, input.name, stack, project.space)) {
    return base::fail(std::move(*violation));
  }
  if (!input.in_store && input.external) return {};  // the swarm's own: Swarm has no permission labels
  if (auto violation = compose::permission_violation(service.name, compose::permission_of(service), input.name, input.permission)) {
    return base::fail(std::move(*violation));
  }
  return {};
}

// What the service needs, read into `inputs`; every problem goes into `problems`, so that a user
// hears of all of them at once (two missing external secrets: both named).
void gather_service(Inputs& inputs, const compose::Service& service, const Sources& sources,
                    std::vector<std::string>& problems) {
  auto note = [&](const base::Error& error) {
    if (std::find(problems.begin(), problems.end(), error.message) == problems.end()) problems.push_back(error.message);
  };
  if (auto ok = check_service(service); !ok) return note(ok.error());
  for (const auto& reference : service.secrets) {
    if (!inputs.secrets.contains(reference.source)) {
      auto input = secret_input(inputs.project, reference.source, inputs.stack, sources);
      if (!input) {
        note(input.error());
        continue;
      }
      inputs.secrets.emplace(reference.source, std::move(*input));
    }
    if (auto ok = check_access(inputs.project, service, inputs.secrets.at(reference.source), inputs.stack); !ok) note(ok.error());
  }
  for (const auto& reference : service.configs) {
    // A file: config is bind-mounted as it is; content: and environment: ones are materialized (the
    // loader refused external ones: they live in a Swarm).
    const auto& config = inputs.project.configs.at(reference.source);
    const bool swarm = sources.orchestrator == compose::Orchestrator::swarm;
    if (!swarm && (!config.file.empty() || config.source == compose::SecretSource::external)) continue;
    if (inputs.configs.contains(reference.source)) continue;
    auto input = config_input(inputs.project, reference.source, sources);
    if (!input) {
      note(input.error());
      continue;
    }
    inputs.configs.emplace(reference.source, std::move(*input));
  }
  auto env_files = env_files_of(service, sources.files);
  if (!env_files) return note(env_files.error());
  inputs.env_files[service.name] = std::move(*env_files);
}

}  // namespace

base::Result<RecordedVersions> recorded_versions(store::Vault& store, const std::string& stack) {
  auto secrets = store.list({});
  if (!secrets) return std::unexpected(secrets.error());
  RecordedVersions recorded;
  for (const auto& secret : *secrets) {
    for (const auto& usage : secret.used_by) {
      if (usage.stack == stack) recorded[secret.name][usage.service] = usage.version;
    }
  }
  return recorded;
}

base::Result<Inputs> gather(const compose::Project& project, const std::string& stack, const Sources& sources) {
  Inputs inputs{project, stack, sources.environment, {}, {}, {}, {}, {}};
  std::vector<std::string> problems;
  for (const auto& service : project.services) gather_service(inputs, service, sources, problems);
  if (auto recorded = recorded_versions(sources.store, stack)) {
    inputs.recorded = std::move(*recorded);
  } else if (!sources.store_may_be_missing) {
    problems.push_back(recorded.error().message);
  }
  if (!problems.empty()) return base::fail(fmt::format("{}", fmt::join(problems, "\n")));
  if (auto ok = sources.engine.ping(); !ok) return std::unexpected(ok.error());
  if (sources.orchestrator == compose::Orchestrator::swarm) return inputs;  // each node pulls what it runs
  std::set<std::string> distinct;
  for (const auto& service : project.services) distinct.insert(service.image);
  const std::vector<std::string> images(distinct.begin(), distinct.end());
  std::vector<char> missing(images.size(), 0);  // each worker writes its own element
  auto checked = parallel_for_each(images, default_parallelism, [&](const std::string& image) -> base::Result<void> {
    auto present = sources.engine.image_exists(image);
    if (!present) return base::fail(present.error().message);
    missing[static_cast<std::size_t>(&image - images.data())] = !*present;
    return {};
  });
  if (!checked) return std::unexpected(checked.error());
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (missing[i]) inputs.missing_images.push_back(images[i]);
  }
  return inputs;
}

}  // namespace stackup::deploy
