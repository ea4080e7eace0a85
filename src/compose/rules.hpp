#pragma once
// The catalogue of checks on compose files. Every diagnostic the loader reports names one of these,
// so users can --ignore a rule and CI tools (SARIF, GitLab Code Quality) group findings by it. IDs
// are stable: renaming one breaks users' --ignore lists and CI baselines.
#include <span>

#include "base/diagnostic.hpp"

namespace stackup::compose::rules {

// Reading the files.
inline constexpr base::Rule file_unreadable{"file-unreadable", "A compose, env, extended or included file can be read.",
                                            "Check the path (relative paths count from the project directory) and the file's permissions."};
inline constexpr base::Rule file_not_found{
    "file-not-found",
    "A compose file is named (-f, COMPOSE_FILE) or found in the working directory as compose.yaml, compose.yml, "
    "docker-compose.yml or docker-compose.yaml.",
    "Run stackup in the directory that holds the compose file, or name the file with -f FILE."};
inline constexpr base::Rule file_empty{"file-empty", "A compose file is not empty.",
                                       "Add at least a services: section to the file, or stop naming it."};
inline constexpr base::Rule file_not_mapping{
    "file-not-mapping", "A compose file is a mapping of top-level keys such as services: and secrets:.",
    "Start the file with top-level keys (services:, secrets:, ...) rather than a list or a single value."};

// Parsing YAML.
inline constexpr base::Rule yaml_encoding{
    "yaml-encoding", "A compose file is UTF-8 text, without NUL bytes.",
    "Save the file as UTF-8 and remove or retype the byte at the reported place."};
inline constexpr base::Rule yaml_syntax{
    "yaml-syntax", "A compose file is well-formed YAML.",
    "Fix the YAML at the reported place: indent with spaces only, line keys up with their siblings, and quote values "
    "that contain ': '."};
inline constexpr base::Rule yaml_key_type{"yaml-key-type", "Mapping keys are strings, not lists or mappings.",
                                          "Write the key as a plain or quoted string."};
inline constexpr base::Rule yaml_duplicate_key{"yaml-duplicate-key", "A mapping names each key only once.",
                                               "Remove one of the two entries, or merge their values into one."};
inline constexpr base::Rule yaml_merge_key{"yaml-merge-key", "A merge key (<<) takes a mapping or a list of mappings.",
                                           "Point << at an anchored mapping (<<: *defaults) or at a list of them."};
inline constexpr base::Rule yaml_alias_limit{
    "yaml-alias-limit", "Expanding the aliases of a file creates a bounded number of values.",
    "Use fewer nested anchors and aliases; real compose files stay far below the limit."};
inline constexpr base::Rule yaml_alias_cycle{
    "yaml-alias-cycle", "No alias refers to a mapping or list that contains it.",
    "Move the alias out of the anchored value, or anchor a smaller part of it."};
inline constexpr base::Rule yaml_nesting_depth{
    "yaml-nesting-depth", "Values do not nest hundreds of levels deep, counting what aliases expand to.",
    "Flatten the structure; a compose file never needs that much nesting."};

// The compose file format version.
inline constexpr base::Rule version_format{
    "version-format", "The version: key, when present, is a compose file format version such as \"3.8\".",
    "Write version: \"3.x\", or remove version: to use the compose-spec."};
inline constexpr base::Rule version_feature{
    "version-feature", "Each feature a file uses exists in the compose file format version it declares.",
    "Raise version: to the one the message names, or remove version: to use the compose-spec."};
inline constexpr base::Rule version_mismatch{"version-mismatch",
                                             "All the compose files of a project declare the same version.",
                                             "Declare the same version: in every file, or remove it from all of them."};

// Env files and variable interpolation.
inline constexpr base::Rule env_file_syntax{
    "env-file-syntax", "Each line of an env file is NAME=VALUE, a comment or blank.",
    "Write the line as NAME=VALUE; names use letters, digits, '_', '.' and '-'."};
inline constexpr base::Rule interpolation_format{"interpolation-format",
                                                 "Each $ in a value starts a valid $VAR or ${VAR} reference.",
                                                 "Fix the reference, or write $$ for a literal $."};
inline constexpr base::Rule interpolation_required{
    "interpolation-required", "Each variable marked required, as in ${VAR:?message} or ${VAR?message}, has a value.",
    "Set the variable in the environment or in the .env file, or give it a default with ${VAR:-default}."};
inline constexpr base::Rule interpolation_depth{"interpolation-depth", "${...} references nest at most 64 levels deep.",
                                                "Simplify the nested defaults; set an intermediate variable instead."};
inline constexpr base::Rule variable_unset{
    "variable-unset", "Each variable a value refers to is set.",
    "Set the variable in the environment or in the .env file, or give it a default with ${VAR:-default}."};

// The compose schema.
inline constexpr base::Rule schema_type{
    "schema-type", "Each value has the type the compose schema gives it.",
    "Write the value as the type the message names, for example a list instead of a string."};
inline constexpr base::Rule schema_unknown_key{"schema-unknown-key",
                                               "Each key is one the compose schema defines, or an x- extension key.",
                                               "Fix the key's spelling, or start a key of your own with x-."};
inline constexpr base::Rule schema_required_key{"schema-required-key",
                                                "Each key the compose schema requires is present.",
                                                "Add the missing key the message names."};
inline constexpr base::Rule schema_enum{"schema-enum", "A value that the schema limits to a fixed set is one of them.",
                                        "Use one of the values the message lists."};
inline constexpr base::Rule schema_constraint{
    "schema-constraint",
    "Values meet the compose schema's other constraints, such as patterns, ranges and unique items.",
    "Change the value as the message says."};

// extends: and include:.
inline constexpr base::Rule extends_cycle{
    "extends-cycle", "Services do not extend each other in a cycle.",
    "Move what the services share into a service that extends nothing, and extend that."};
inline constexpr base::Rule extends_undefined{"extends-undefined",
                                              "The service extends: names is defined in the file it names.",
                                              "Fix the service name, or the file: of extends:."};
inline constexpr base::Rule include_cycle{"include-cycle", "Files do not include each other in a cycle.",
                                          "Remove the include: entry that closes the cycle."};
inline constexpr base::Rule include_conflict{
    "include-conflict", "A resource defined both in this file and in an included one is defined the same in both.",
    "Rename one of the two, or make the definitions the same; the including file's definition is the one kept."};

// The project.
inline constexpr base::Rule project_name{
    "project-name", "The project name (from -p, COMPOSE_PROJECT_NAME or name:) is a valid stack name.",
    "Use lowercase letters, digits, '-' and '_', starting with a letter or digit."};
inline constexpr base::Rule space_path{
    "space-path", "The stack's space (x-stackup-space or --space) is a path of names.",
    "Use names of letters, digits, '.', '_' and '-' separated by '/', such as developer/backend."};

// Top-level secrets, configs, networks and volumes.
inline constexpr base::Rule key_format{"key-format",
                                       "Service, secret and config keys use only letters, digits, '.', '_' and '-'.",
                                       "Rename the key using only those characters."};
inline constexpr base::Rule object_name{
    "object-name", "The name a secret or config gets in Docker or in stackup's store is a valid name.",
    "Change name: (or the key, which the stack's name and '_' are put before) to a valid name."};
inline constexpr base::Rule source_conflict{
    "source-conflict", "A secret or config has only one source.",
    "Keep one of file:, environment:, content:, x-stackup.command and external:, and "
    "remove the others."};
inline constexpr base::Rule source_required{
    "source-required", "A secret or config has a source.",
    "Set file:, environment:, content: (configs only), x-stackup.command (secrets only) or external: true."};
inline constexpr base::Rule external_attributes{
    "external-attributes", "An external secret, config, network or volume has no attribute but name:.",
    "Remove the other attributes: an external object is created outside this file."};
inline constexpr base::Rule external_name_conflict{"external-name-conflict", "external.name and name: do not disagree.",
                                                   "Remove external.name; keep name: and write external: true."};
inline constexpr base::Rule external_name_deprecated{"external-name-deprecated",
                                                     "The deprecated external.name is not used.",
                                                     "Write name: NAME and external: true instead."};
inline constexpr base::Rule secret_file_missing{
    "secret-file-missing", "The file: of each secret exists.",
    "Create the file or fix the path (relative paths count from the project directory). This is a warning unless "
    "--strict is given."};
inline constexpr base::Rule secret_file_unreadable{"secret-file-unreadable",
                                                   "The file: of each secret is a regular file that can be read.",
                                                   "Point file: at a regular file (not a directory, FIFO or device) "
                                                   "and make it readable by the user running stackup."};
inline constexpr base::Rule secret_size{
    "secret-size", "A secret's value, from its file or variable, holds 1 to 511999 bytes.",
    "Put a value that is not empty and smaller than 512000 bytes in the file or variable."};
inline constexpr base::Rule source_variable_unset{"source-variable-unset",
                                                  "The variable an environment: secret or config is read from is set.",
                                                  "Set the variable in stackup's environment or in the .env file."};

// Services.
inline constexpr base::Rule image_missing{"image-missing", "Each service names an image to run.",
                                          "Set image: NAME; stackup deploys images and does not build them."};
inline constexpr base::Rule port_format{
    "port-format", "Each published port is [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL] with ports from 1 to 65535.",
    "Fix the port at the reported place: ports are numbers up to 65535, a range starts before it ends, a host range "
    "has as many ports as the container range, and the protocol is tcp, udp or sctp."};
inline constexpr base::Rule bind_source{"bind-source", "A bind mount names the host path it mounts.",
                                        "Add source: with the host path, or use type: volume for a named volume."};
inline constexpr base::Rule device_request{
    "device-request", "A device request (GPUs) names its capabilities and asks either for a count or for device IDs.",
    "Add capabilities: [gpu], and keep one of count: and device_ids:."};
inline constexpr base::Rule watch_target{
    "watch-target", "A develop.watch rule that syncs files names the path in the container they go to.",
    "Add target: with the container path, or use action: rebuild."};
inline constexpr base::Rule override_file{
    "override-file", "A file whose services name no image or build is checked with the file it overrides.",
    "Validate an override file together with its base, as Compose merges them: -c compose.yaml -c override.yaml."};
inline constexpr base::Rule env_file_missing{
    "env-file-missing", "Each env_file: of a service exists.",
    "Create the file or fix the path, or mark it required: false if it may be absent."};
inline constexpr base::Rule environment_name_spaces{"environment-name-spaces",
                                                    "Environment variable names have no blanks around them.",
                                                    "Write NAME=value, without spaces around the name."};
inline constexpr base::Rule duration_format{"duration-format",
                                            "Durations are a number with a unit, such as 30s, 1m30s or 1.5h.",
                                            "Write the duration with one of the units ns, us, ms, s, m or h."};
inline constexpr base::Rule size_format{"size-format",
                                        "Sizes are a number of bytes, optionally with a unit, such as 512m or 1gb.",
                                        "Write the size as a number with an optional unit k, m, g, t or p."};
inline constexpr base::Rule cpus_format{"cpus-format", "cpus is a positive number, such as 0.5 or 2.",
                                        "Write the number of CPUs as a positive decimal number."};
inline constexpr base::Rule restart_format{"restart-format", "restart: is a restart policy Docker knows.",
                                           "Use no, always, unless-stopped, on-failure or on-failure:N."};
inline constexpr base::Rule negative_count{
    "negative-count", "Counts such as scale, replicas and tmpfs size are not negative.", "Use 0 or a positive number."};
inline constexpr base::Rule label_reserved{
    "label-reserved", "Labels do not use the names stackup and Docker set to find and manage their objects.",
    "Remove the label, or rename it outside com.stackup. and the com.docker stack and compose labels."};
inline constexpr base::Rule network_mode_conflict{"network-mode-conflict",
                                                  "A service does not set both network_mode: and networks:.",
                                                  "Remove network_mode: or networks: from the service."};
inline constexpr base::Rule extension_format{
    "extension-format", "The x-stackup: of a secret or service has the form and values stackup reads.",
    "Write it as the message shows, e.g. {command: [...], timeout: 30s} on a secret or {change_mode: signal, "
    "change_signal: SIGHUP} on a service."};
inline constexpr base::Rule extension_unknown_key{
    "extension-unknown-key", "The x-stackup: of a secret or service uses only the keys stackup reads.",
    "Fix the key's spelling, or remove it: a secret takes command and timeout, a service change_mode and "
    "change_signal."};
inline constexpr base::Rule change_signal_uncatchable{
    "change-signal-uncatchable", "change_signal is not SIGKILL or SIGSTOP, which a program cannot catch.",
    "Use the signal the program rereads its secrets on, or change_mode: restart."};
inline constexpr base::Rule change_signal_unused{"change-signal-unused",
                                                 "change_signal is set only with change_mode: signal.",
                                                 "Set change_mode: signal, or remove change_signal."};

// References between services and the top-level definitions.
inline constexpr base::Rule secret_undefined{
    "secret-undefined", "Each secret a service uses is defined under the top-level secrets: key.",
    "Define the secret under the top-level secrets: key, or fix the name the service uses."};
inline constexpr base::Rule config_undefined{
    "config-undefined", "Each config a service uses is defined under the top-level configs: key.",
    "Define the config under the top-level configs: key, or fix the name the service uses."};
inline constexpr base::Rule network_undefined{
    "network-undefined", "Each network a service joins is default or defined under the top-level networks: key.",
    "Define the network under the top-level networks: key, or fix the name the service uses."};
inline constexpr base::Rule volume_undefined{
    "volume-undefined", "Each named volume a service mounts is defined under the top-level volumes: key.",
    "Define the volume under the top-level volumes: key, fix its name, or start a host path with / or ./."};
inline constexpr base::Rule depends_on_undefined{"depends-on-undefined", "Each service in depends_on: is defined.",
                                                 "Fix the service's name, or define the service."};
inline constexpr base::Rule depends_on_cycle{"depends-on-cycle", "Services do not depend on each other in a cycle.",
                                             "Remove one of the depends_on: entries on the cycle."};
inline constexpr base::Rule network_mode_undefined{"network-mode-undefined",
                                                   "The service a network_mode: service:NAME names is defined.",
                                                   "Fix the service's name, or define the service."};
inline constexpr base::Rule service_reference_undefined{
    "service-reference-undefined", "The service an ipc: or pid: service:NAME, or a volumes_from: entry, names is defined.",
    "Fix the service's name, define the service, or name a container with container:NAME."};

// The secrets and configs a service uses.
inline constexpr base::Rule uid_gid_value{"uid-gid-value", "uid and gid are decimal numbers from 0 to 4294967294.",
                                          "Write the numeric user or group ID, such as 1000; names are not resolved."};
inline constexpr base::Rule mode_format{"mode-format", "mode is an octal file mode from 0000 to 0777.",
                                        "Write the mode in octal with a leading 0, such as 0440."};
inline constexpr base::Rule mode_decimal{
    "mode-decimal", "A mode written without a leading 0 is not meant in octal.",
    "YAML reads mode: 440 as decimal; write 0440 for octal, or the decimal value if that is what you meant."};
inline constexpr base::Rule target_path{
    "target-path", "A secret or config target is the path of a file, without \"..\".",
    "Give the file's path (or its name in /run/secrets), not a directory, and without \"..\"."};
inline constexpr base::Rule target_conflict{"target-conflict",
                                            "No two secrets or configs of a service are mounted at one path.",
                                            "Give one of them another target:."};

// Profiles.
inline constexpr base::Rule profile_disabled_dependency{
    "profile-disabled-dependency", "A service that runs depends only on services that run with the active profiles.",
    "Enable the dependency's profile with --profile or COMPOSE_PROFILES, or make the dependency required: false."};

// What the orchestrator runs.
inline constexpr base::Rule orchestrator_ignored{
    "orchestrator-ignored", "The keys a service sets are ones the chosen orchestrator uses.",
    "Remove the key, or choose the orchestrator that uses it; it has no effect as it is."};
inline constexpr base::Rule orchestrator_unsupported{
    "orchestrator-unsupported", "The file uses no feature the chosen orchestrator cannot provide.",
    "Use what the message suggests instead, or deploy with the orchestrator that has the feature (Docker Swarm)."};
inline constexpr base::Rule build_unsupported{
    "build-unsupported", "A service with build: also names the image: it runs.",
    "Build and push the image first (docker build -t NAME .) and set image: NAME."};
inline constexpr base::Rule port_replicas{
    "port-replicas", "A service with several replicas publishes no fixed host port.",
    "Drop the host port so each replica gets an ephemeral one, or run one replica."};

// Access to secrets.
inline constexpr base::Rule permission_label{
    "permission-label", "A service and each secret it uses have the same permission label, or neither has one.",
    "Give the service the secret's com.docker.ucp.access.label (in labels: or deploy.labels:), or use a secret with "
    "the service's label."};
inline constexpr base::Rule secret_space{
    "secret-space", "A secret in a space is used only by stacks in that space or below it.",
    "Set x-stackup-space (or --space) to the secret's space or one below it, or use a secret of the stack's space."};
inline constexpr base::Rule secret_store_lookup{
    "secret-store-lookup", "stackup's secret store can be asked for the external secrets a service uses.",
    "Fix the problem with the store that the message names, such as its path or permissions, then try again."};
inline constexpr base::Rule external_secret_missing{"external-secret-missing",
                                                    "Each external secret a service uses is in stackup's store.",
                                                    "Create it: stackup secret create NAME FILE."};

// Every rule, in the order above (for `--format sarif`'s rule list and for checking --ignore names).
std::span<const base::Rule* const> all();

// The rule with this ID, or nullptr.
const base::Rule* find(std::string_view id);

}  // namespace stackup::compose::rules
