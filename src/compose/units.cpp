#include "compose/units.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cctype>

namespace stackup::compose {
namespace {

// A decimal number at the start of `text` ("12", "1.5", ".5"); consumed from `text`.
std::optional<double> take_number(std::string_view& text) {
  std::size_t end = 0;
  bool digits = false;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end, digits = true;
  if (end < text.size() && text[end] == '.') {
    ++end;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end, digits = true;
  }
  if (!digits) return std::nullopt;
  double value = 0;
  const auto [last, error] = std::from_chars(text.data(), text.data() + end, value);
  if (error != std::errc{} || last != text.data() + end) return std::nullopt;
  text.remove_prefix(end);
  return value;
}

std::optional<double> nanoseconds_per(std::string_view unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  if (unit == "m") return 60e9;
  if (unit == "h") return 3600e9;
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return std::nullopt;
  double total = 0;
  while (!text.empty()) {
    const auto number = take_number(text);
    if (!number) return std::nullopt;
    std::size_t unit_end = 0;
    while (unit_end < text.size() && !std::isdigit(static_cast<unsigned char>(text[unit_end])) && text[unit_end] != '.') ++unit_end;
    const auto scale = nanoseconds_per(text.substr(0, unit_end));
    if (!scale) return std::nullopt;
    total += *number * *scale;
    text.remove_prefix(unit_end);
  }
  if (total > 9.2e18) return std::nullopt;  // past what a signed 64-bit count of nanoseconds holds
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(total)));
}

std::optional<std::int64_t> parse_bytes(std::string_view text) {
  const auto number = take_number(text);
  if (!number) return std::nullopt;
  if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  double scale = 1;
  if (!text.empty()) {
    constexpr std::string_view units = "kmgtp";
    const auto unit = units.find(static_cast<char>(std::tolower(static_cast<unsigned char>(text.front()))));
    if (unit != std::string_view::npos) {
      scale = std::pow(1024.0, static_cast<double>(unit + 1));
      text.remove_prefix(1);
      if (!text.empty() && (text.front() == 'i' || text.front() == 'I')) text.remove_prefix(1);
    }
  }
  if (!text.empty() && (text.front() == 'b' || text.front() == 'B')) text.remove_prefix(1);
  const double bytes = *number * scale;
  if (!text.empty() || bytes > 9.2e18) return std::nullopt;
  return static_cast<std::int64_t>(bytes);
}

std::optional<std::int64_t> parse_nano_cpus(std::string_view text) {
  const auto number = take_number(text);
  if (!number || !text.empty() || *number <= 0 || *number > 1e6) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(*number * 1e9));
}

std::optional<std::string> parse_signal(std::string_view text) {
  static constexpr std::string_view names[] = {"HUP",  "INT",  "QUIT", "ILL",  "TRAP", "ABRT",   "BUS",  "FPE",
                                               "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",   "TERM", "STKFLT",
                                               "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",   "URG",  "XCPU",
                                               "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
  std::string name(text);
  std::ranges::transform(name, name.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (name.starts_with("SIG")) name.erase(0, 3);
  if (std::ranges::find(names, name) == std::end(names)) return std::nullopt;
  return "SIG" + name;
}

std::optional<RestartPolicy> parse_restart(std::string_view text) {
  if (text == "no" || text == "always" || text == "unless-stopped" || text == "on-failure") {
    return RestartPolicy{std::string(text), 0};
  }
  constexpr std::string_view on_failure = "on-failure:";
  if (!text.starts_with(on_failure)) return std::nullopt;
  const auto count = text.substr(on_failure.size());
  int retries = 0;
  const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), retries);
  if (count.empty() || error != std::errc{} || end != count.data() + count.size() || retries < 0) return std::nullopt;
  return RestartPolicy{"on-failure", retries};
}

std::optional<std::uint32_t> parse_id(std::string_view text) {
  std::uint32_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || id == 4294967295u) return std::nullopt;
  return id;
}

}  // namespace stackup::compose
