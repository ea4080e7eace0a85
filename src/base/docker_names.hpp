#pragma once
// Docker's naming rules for the objects stackup creates.
#include <string_view>

namespace stackup::base {

inline constexpr std::size_t max_object_name_length = 64;

// swarmkit's rule for secrets, configs, networks and services:
// ^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$, at most 64 characters.
bool is_valid_object_name(std::string_view name);

inline constexpr std::string_view invalid_object_name_message =
    "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]";

// Secret names in stackup's store: Docker's rule, optionally grouped in '/'-separated paths
// (team/app/db-password), as DC/OS names secrets; at most 255 characters.
inline constexpr std::size_t max_secret_name_length = 255;
bool is_valid_secret_name(std::string_view name);
inline constexpr std::string_view secret_name_rule =
    "only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]; "
    "group names with '/' (team/app/db-password)";

// Compose project (stack) names: lowercase letters, digits, '-' and '_', starting with a letter or digit.
bool is_valid_stack_name(std::string_view name);

}  // namespace stackup::base
