#pragma once
// docker-style output: aligned columns under upper-case headings, and human times.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace stackup::cli {

void print_table(std::ostream& out, const std::vector<std::string>& headings,
                 const std::vector<std::vector<std::string>>& rows);

// 2026-11-24T02:14:01.123456Z
std::string rfc3339(std::int64_t micros_since_epoch);
// "Less than a second ago", "3 minutes ago", "2 days ago", like docker.
std::string time_ago(std::int64_t micros_since_epoch, std::int64_t now_micros);
std::int64_t now_micros();
// The engine's times ("2026-11-30T10:53:01.123456789Z") as microseconds since the epoch.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace stackup::cli
