#pragma once
// The value syntaxes of compose files, parsed once: Go durations ("1m30s"), byte sizes ("512m",
// "1gb"), CPU counts ("0.5"), restart policies ("on-failure:3") and uid/gid. The semantic phase
// reports a value these refuse at its place, with the accepted forms; binding then stores the typed
// result, so nothing after the loader parses them again.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stackup::compose {

// Go's time.ParseDuration, without negative values: "300ms", "1.5h", "1m30s", "0".
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);
inline constexpr std::string_view duration_forms =
    "a duration is a number with a unit, ns, us, ms, s, m or h, such as 30s, 1m30s or 1.5h";

// Docker's byte sizes: a number, optionally a unit b, k, m, g, t or p (binary multiples, any case,
// with an optional "b" or "ib": 512m, 1gb, 2GiB), or a plain number of bytes.
std::optional<std::int64_t> parse_bytes(std::string_view text);
inline constexpr std::string_view bytes_forms =
    "a size is a number of bytes, optionally with a unit k, m, g, t or p (binary), such as 512m or 1gb";

// A positive number of CPUs ("0.5", "2"), as billionths of a CPU (the engine's NanoCpus).
std::optional<std::int64_t> parse_nano_cpus(std::string_view text);
inline constexpr std::string_view cpus_forms = "cpus is a positive number, such as 0.5 or 2";

struct RestartPolicy {
  std::string name;  // no, always, on-failure, unless-stopped
  int maximum_retries = 0;  // on-failure:N
};
std::optional<RestartPolicy> parse_restart(std::string_view text);
inline constexpr std::string_view restart_forms = "restart is no, always, unless-stopped, on-failure or on-failure:N";

// A signal's name as the engine takes it, "SIGHUP" from "SIGHUP", "HUP" or "hup"; none for a name
// Linux does not have.
std::optional<std::string> parse_signal(std::string_view text);
inline constexpr std::string_view signal_forms = "a signal is a name such as SIGHUP, SIGUSR1 or SIGTERM";

// A uid or gid: 0 to 4294967294, as Docker allows (4294967295 is -1, "no id").
std::optional<std::uint32_t> parse_id(std::string_view text);

}  // namespace stackup::compose
