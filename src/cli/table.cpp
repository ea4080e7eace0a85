#include "cli/table.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ostream>

namespace stackup::cli {

void print_table(std::ostream& out, const std::vector<std::string>& headings,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(headings.size());
  for (std::size_t i = 0; i < headings.size(); ++i) widths[i] = headings[i].size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      line += cells[i];
      if (i + 1 < cells.size()) line += std::string(widths[i] - cells[i].size() + 3, ' ');
    }
    out << line << '\n';
  };
  print_row(headings);
  for (const auto& row : rows) print_row(row);
}

std::string rfc3339(std::int64_t micros) {
  const std::chrono::sys_time<std::chrono::microseconds> time{std::chrono::microseconds(micros)};
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", time);
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  // 2026-11-30T10:53:01.123456789Z: the seconds' fraction and zone beyond Z are not needed for "ago".
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (std::sscanf(std::string(text.substr(0, 19)).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute,
                  &second) != 6) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  const auto time = std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                    std::chrono::seconds(second);
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

std::string time_ago(std::int64_t micros, std::int64_t now) {
  const auto seconds = std::max<std::int64_t>(0, (now - micros) / 1000000);
  auto plural = [](std::int64_t count, const char* unit) {
    return fmt::format("{} {}{} ago", count, unit, count == 1 ? "" : "s");
  };
  if (seconds < 1) return "Less than a second ago";
  if (seconds < 60) return plural(seconds, "second");
  if (seconds < 3600) return seconds < 120 ? "About a minute ago" : plural(seconds / 60, "minute");
  if (seconds < 86400) return seconds < 7200 ? "About an hour ago" : plural(seconds / 3600, "hour");
  if (seconds < 86400 * 14) return plural(seconds / 86400, "day");
  if (seconds < 86400 * 60) return plural(seconds / (86400 * 7), "week");
  if (seconds < 86400 * 730) return plural(seconds / (86400 * 30), "month");
  return plural(seconds / (86400 * 365), "year");
}

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace stackup::cli
