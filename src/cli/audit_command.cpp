// `stackup audit`: the store's audit log (what was done to which secret, when, by whom, with which
// command; never a value), and `stackup audit verify`, which checks its MAC chain.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/command.hpp"
#include "cli/store_options.hpp"
#include "cli/table.hpp"
#include "compose/units.hpp"

namespace stackup::cli {
namespace {

class VerifyCommand final : public Command {
 public:
  explicit VerifyCommand(CLI::App& parent)
      : Command(parent.add_subcommand("verify", "Check that no entry of the audit log was edited, deleted, reordered or cut off")) {
    store_.add_to(*app_);
  }

  int run(Context& context) override {
    auto store = open_store_for_reading(store_, context);
    if (!store) return fail_with(context, store.error().message);
    auto problems = store->verify_audit_log();
    if (!problems) return fail_with(context, problems.error().message);
    if (problems->empty()) {
      auto entries = store->audit_log();
      context.io.out << fmt::format("the audit log is intact ({} entries)\n", entries ? entries->size() : 0);
      return exit_ok;
    }
    for (const auto& problem : *problems) context.io.err << "stackup: error: audit log: " << problem << '\n';
    return exit_failed;
  }

 private:
  StoreLocation store_;
};

class AuditCommand final : public Command {
 public:
  explicit AuditCommand(CLI::App& parent, Commands& commands)
      : Command(parent.add_subcommand("audit", "Show the store's audit log (never a value)")) {
    store_.add_to(*app_);
    app_->add_option("--secret", secret_, "Only this secret's entries");
    app_->add_option("--stack", stack_, "Only the entries of this stack's services");
    app_->add_option("--since", since_, "Only entries newer than this (a duration: 30m, 24h)");
    app_->add_option("--format", format_, "Output format")->check(CLI::IsMember({"table", "json"}))->default_str("table");
    commands.push_back(std::make_unique<VerifyCommand>(*app_));
  }

  int run(Context& context) override {
    std::int64_t since = 0;
    if (!since_.empty()) {
      const auto duration = compose::parse_duration(since_);
      if (!duration) return fail_with(context, fmt::format("--since {}: {}", since_, compose::duration_forms));
      since = now_micros() - std::chrono::duration_cast<std::chrono::microseconds>(*duration).count();
    }
    auto store = open_store_for_reading(store_, context);
    if (!store) return fail_with(context, store.error().message);
    auto entries = store->audit_log();
    if (!entries) return fail_with(context, entries.error().message);
    std::erase_if(*entries, [&](const store::AuditEntry& entry) {
      return entry.at < since || (!secret_.empty() && entry.secret != secret_) ||
             (!stack_.empty() && !entry.detail.starts_with(stack_ + "/"));
    });
    if (format_ == "json") {
      auto array = nlohmann::ordered_json::array();
      for (const auto& e : *entries) {
        array.push_back({{"Seq", e.seq}, {"Time", rfc3339(e.at)}, {"User", e.user}, {"UID", e.uid}, {"Action", e.action},
                         {"Secret", e.secret}, {"Version", e.version}, {"Detail", e.detail}, {"Command", e.command}});
      }
      context.io.out << array.dump(2) << '\n';
      return exit_ok;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : *entries) {
      rows.push_back({std::to_string(e.seq), rfc3339(e.at), fmt::format("{} ({})", e.user, e.uid), e.action, e.secret,
                      e.version > 0 ? std::to_string(e.version) : "", e.detail, e.command});
    }
    print_table(context.io.out, {"SEQ", "TIME", "USER", "ACTION", "SECRET", "VERSION", "DETAIL", "COMMAND"}, rows);
    return exit_ok;
  }

 private:
  StoreLocation store_;
  std::string secret_, stack_, since_;
  std::string format_ = "table";
};

}  // namespace

void add_audit_commands(CLI::App& parent, Commands& commands) {
  auto command = std::make_unique<AuditCommand>(parent, commands);
  commands.push_back(std::move(command));
}

}  // namespace stackup::cli
