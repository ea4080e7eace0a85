#include "compose/rules.hpp"

#include <algorithm>

namespace stackup::compose::rules {
namespace {

constexpr const base::Rule* catalogue[] = {
    &file_unreadable,
    &file_not_found,
    &file_empty,
    &file_not_mapping,
    &yaml_encoding,
    &yaml_syntax,
    &yaml_key_type,
    &yaml_duplicate_key,
    &yaml_merge_key,
    &yaml_alias_limit,
    &yaml_alias_cycle,
    &yaml_nesting_depth,
    &version_format,
    &version_feature,
    &version_mismatch,
    &env_file_syntax,
    &interpolation_format,
    &interpolation_required,
    &interpolation_depth,
    &variable_unset,
    &schema_type,
    &schema_unknown_key,
    &schema_required_key,
    &schema_enum,
    &schema_constraint,
    &extends_cycle,
    &extends_undefined,
    &include_cycle,
    &include_conflict,
    &project_name,
    &space_path,
    &key_format,
    &object_name,
    &source_conflict,
    &source_required,
    &external_attributes,
    &external_name_conflict,
    &external_name_deprecated,
    &secret_file_missing,
    &secret_file_unreadable,
    &secret_size,
    &source_variable_unset,
    &image_missing,
    &port_format,
    &bind_source,
    &device_request,
    &watch_target,
    &override_file,
    &env_file_missing,
    &environment_name_spaces,
    &duration_format,
    &size_format,
    &cpus_format,
    &restart_format,
    &negative_count,
    &label_reserved,
    &network_mode_conflict,
    &extension_format,
    &extension_unknown_key,
    &change_signal_uncatchable,
    &change_signal_unused,
    &secret_undefined,
    &config_undefined,
    &network_undefined,
    &volume_undefined,
    &depends_on_undefined,
    &depends_on_cycle,
    &network_mode_undefined,
    &service_reference_undefined,
    &uid_gid_value,
    &mode_format,
    &mode_decimal,
    &target_path,
    &target_conflict,
    &profile_disabled_dependency,
    &orchestrator_ignored,
    &orchestrator_unsupported,
    &build_unsupported,
    &port_replicas,
    &permission_label,
    &secret_space,
    &secret_store_lookup,
    &external_secret_missing,
};

}  // namespace

std::span<const base::Rule* const> all() { return catalogue; }

const base::Rule* find(std::string_view id) {
  const auto it = std::find_if(std::begin(catalogue), std::end(catalogue), [&](const base::Rule* rule) { return rule->id == id; });
  return it == std::end(catalogue) ? nullptr : *it;
}

}  // namespace stackup::compose::rules
