// `stackup store init [--passphrase]` and `stackup store rekey [--passphrase|--key-file] [--new-master-key]`.
#include <fmt/format.h>

#include <ostream>

#include "cli/command.hpp"
#include "cli/store_options.hpp"

namespace stackup::cli {
namespace {

class InitCommand final : public Command {
 public:
  explicit InitCommand(CLI::App& parent)
      : Command(parent.add_subcommand("init", "Create the secret store (with a key file, or --passphrase)")) {
    store_.add_to(*app_);
    app_->add_flag("--passphrase", passphrase_, "Unlock with a passphrase (STACKUP_PASSPHRASE_FILE or a prompt)");
  }

  int run(Context& context) override {
    auto store = open_store_for_writing(store_, context);
    if (!store) return fail_with(context, store.error().message);
    const auto method = passphrase_ ? store::UnlockMethod::passphrase : store::UnlockMethod::key_file;
    if (auto done = store->initialize(method); !done) return fail_with(context, done.error().message);
    context.io.out << fmt::format("initialized the secret store at {} ({})\n", store->directory(),
                                  passphrase_ ? "unlocked with a passphrase" : "unlocked with a key file");
    return exit_ok;
  }

 private:
  StoreLocation store_;
  bool passphrase_ = false;
};

class RekeyCommand final : public Command {
 public:
  explicit RekeyCommand(CLI::App& parent)
      : Command(parent.add_subcommand("rekey", "Change the passphrase or key file, or the master key itself")) {
    store_.add_to(*app_);
    auto* passphrase = app_->add_flag("--passphrase", passphrase_,
                                      "Unlock with a new passphrase (STACKUP_NEW_PASSPHRASE_FILE or a prompt)");
    auto* key_file = app_->add_flag("--key-file", key_file_, "Unlock with a new random key file");
    app_->add_flag("--new-master-key", new_master_key_,
                   "Also replace the master key, re-sealing every secret version (after a key may have leaked)");
    passphrase->excludes(key_file);
    app_->callback([this] {
      if (!passphrase_ && !key_file_ && !new_master_key_) {
        throw CLI::ValidationError("rekey", "say --passphrase, --key-file or --new-master-key");
      }
    });
  }

  int run(Context& context) override {
    auto store = open_store_for_writing(store_, context);
    if (!store) return fail_with(context, store.error().message);
    const auto resealed = store->rekey(request());
    if (!resealed) return fail_with(context, resealed.error().message);
    context.io.out << "rekeyed the secret store at " << store->directory() << resealed_note(*resealed) << '\n';
    return exit_ok;
  }

 private:
  [[nodiscard]] store::RekeyRequest request() const {
    store::RekeyRequest request{std::nullopt, new_master_key_};
    if (passphrase_) request.method = store::UnlockMethod::passphrase;
    if (key_file_) request.method = store::UnlockMethod::key_file;
    return request;
  }

  [[nodiscard]] std::string resealed_note(std::size_t resealed) const {
    if (!new_master_key_) return "";
    return fmt::format(" with a new master key ({} secret version{} re-sealed)", resealed, resealed == 1 ? "" : "s");
  }

  StoreLocation store_;
  bool passphrase_ = false;
  bool key_file_ = false;
  bool new_master_key_ = false;
};

}  // namespace

void add_store_commands(CLI::App& parent, Commands& commands) {
  auto* group = parent.add_subcommand("store", "Set up and rekey the local encrypted store");
  group->require_subcommand(1);
  commands.push_back(std::make_unique<InitCommand>(*group));
  commands.push_back(std::make_unique<RekeyCommand>(*group));
}

}  // namespace stackup::cli
