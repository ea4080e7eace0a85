#include "cli/engine_options.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <ostream>

namespace stackup::cli {

namespace {

engine::EngineSettings engine_settings(const Context& context) {
  engine::EngineSettings settings;
  settings.docker_host = context.variable("DOCKER_HOST");
  settings.tls_verify = !context.variable("DOCKER_TLS_VERIFY").empty();
  settings.cert_path = context.variable("DOCKER_CERT_PATH");
  if (settings.cert_path.empty() && !context.variable("HOME").empty()) {
    settings.cert_path = context.variable("HOME") + "/.docker";
  }
  return settings;
}

}  // namespace

base::Result<std::unique_ptr<engine::Engine>> connect_engine(const Context& context) {
  return engine::connect(engine_settings(context));
}

base::Result<std::unique_ptr<engine::Swarm>> connect_swarm(const Context& context) {
  return engine::connect_swarm(engine_settings(context));
}

std::string secrets_runtime_directory(const Context& context) {
  if (::geteuid() == 0) return "/run/stackup";
  if (const auto runtime = context.variable("XDG_RUNTIME_DIR"); !runtime.empty()) return runtime + "/stackup";
  return fmt::format("/dev/shm/stackup-{}", ::geteuid());
}

ProgressPrinter::ProgressPrinter(Context& context, bool quiet)
    : context_(context),
      quiet_(quiet),
      // NO_COLOR turns off colour, not cursor movement; a dumb terminal can do neither.
      in_place_(context.io.err_is_terminal && context.variable("TERM") != "dumb"),
      bold_(context.color_for(context.io.err_is_terminal) ? "\033[1m" : ""),
      reset_(bold_.empty() ? "" : "\033[0m") {}

void ProgressPrinter::update(const std::string& subject, const std::string& status) {
  if (quiet_) return;
  auto& err = context_.io.err;
  if (!in_place_) {
    err << fmt::format(" {} {}\n", subject, status);
    return;
  }
  const auto it = std::find_if(lines_.begin(), lines_.end(), [&](const auto& line) { return line.first == subject; });
  if (it == lines_.end()) {
    lines_.emplace_back(subject, status);
    err << fmt::format(" {}{}{} {}\n", bold_, subject, reset_, status);
    return;
  }
  it->second = status;
  // Move up to the subject's line, rewrite it, and come back down.
  const auto up = lines_.end() - it;
  err << fmt::format("\033[{}A\r\033[K {}{}{} {}\033[{}B\r", up, bold_, subject, reset_, status, up);
  err.flush();
}

void ProgressPrinter::warning(const std::string& message) { context_.io.err << "stackup: warning: " << message << '\n'; }

}  // namespace stackup::cli
