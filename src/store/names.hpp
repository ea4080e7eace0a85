#pragma once
// Secret names: Docker's rule, optionally grouped in '/'-separated paths (team/app/db-password).
#include <string_view>

namespace stackup::store {

inline constexpr std::size_t max_secret_name_length = 255;

bool is_valid_secret_name(std::string_view name);

inline constexpr std::string_view secret_name_rule =
    "only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]; "
    "group names with '/' (team/app/db-password)";

}  // namespace stackup::store
