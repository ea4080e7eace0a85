#pragma once
// Secret names: Docker's rule, optionally grouped in '/'-separated paths (team/app/db-password). The
// rule lives in base, since compose files name store secrets too.
#include "base/docker_names.hpp"

namespace stackup::store {

using base::is_valid_secret_name;
using base::max_secret_name_length;
using base::secret_name_rule;

}  // namespace stackup::store
