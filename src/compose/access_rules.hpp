#pragma once
// Who may use a secret. Two models from the seed guides, both checked by validate (what the file
// shows) and by deploy (what the store adds, for external secrets):
// - permission labels (Docker UCP): a service may use a secret only when both carry the same
//   com.docker.ucp.access.label value, or neither carries one;
// - path spaces (DC/OS): a secret named with a path (developer/db) is usable only by a stack whose
//   space is that path or below it (developer, developer/backend); a secret without one, by all.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/diagnostic.hpp"
#include "compose/model.hpp"

namespace stackup::compose {

inline constexpr std::string_view permission_label = "com.docker.ucp.access.label";
inline constexpr std::string_view space_key = "x-stackup-space";

// The permission label among these labels, if any.
std::optional<std::string> permission_of(const std::map<std::string, std::string>& labels);
// A service's: from labels:, else deploy.labels:.
std::optional<std::string> permission_of(const Service& service);

// "developer" for "developer/my-secret", "a/b" for "a/b/c"; "" for a name without a path.
std::string space_of_secret(std::string_view name);
// Segments of letters, digits, '.', '_' and '-', separated by single slashes.
bool is_valid_space(std::string_view space);

// Why the service may not use the secret, as a whole sentence with what to change; nothing when it may.
std::optional<std::string> permission_violation(const std::string& service, const std::optional<std::string>& service_label,
                                                const std::string& secret, const std::optional<std::string>& secret_label);
std::optional<std::string> space_violation(const std::string& service, const std::string& secret, const std::string& stack,
                                           const std::string& stack_space);

// Both rules for what the file alone tells (an external secret's labels are in the store, so
// only its space is checked here), each violation an error at the service's secret reference.
void check_access(const Project& project, base::Diagnostics& diagnostics);

}  // namespace stackup::compose
