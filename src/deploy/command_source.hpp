#pragma once
// Secret values from the secret managers teams already use: a command whose standard output is the
// value (`pass show db`, `op read op://prod/api/token`, `vault kv get -field=password secret/db`,
// `aws secretsmanager get-secret-value --query SecretString --output text`). Run without a shell,
// with standard input from /dev/null and a timeout; the value comes only through a pipe into
// SecretBytes, never through an argument, an environment variable or a file.
#include <chrono>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"

namespace stackup::deploy {

// The command's standard output without its trailing newlines (as $(...) takes it). A command that
// cannot run, exits non-zero or by a signal, outlives `timeout`, prints nothing or more than a secret
// may hold is an error saying so, with the end of its standard error.
base::Result<base::SecretBytes> run_secret_command(const std::vector<std::string>& argv, std::chrono::nanoseconds timeout);

}  // namespace stackup::deploy
