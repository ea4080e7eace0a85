#pragma once
// How commands find and unlock the secret store: --store, STACKUP_STORE, STACKUP_KEY_FILE,
// STACKUP_PASSPHRASE_FILE (or a no-echo prompt on the terminal).
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "store/directory.hpp"
#include "store/secret_store.hpp"

namespace stackup::cli {

struct StoreLocation {
  std::string directory;

  void add_to(CLI::App& command);
  [[nodiscard]] store::StoreOptions options(Context& context) const;
};

base::Result<store::SecretStore> open_store_for_reading(const StoreLocation& location, Context& context);
base::Result<store::SecretStore> open_store_for_writing(const StoreLocation& location, Context& context);

// A secret value from a file, or from standard input for "-".
base::Result<base::SecretBytes> read_value(const std::string& source, const std::string& name);

}  // namespace stackup::cli
