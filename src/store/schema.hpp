#pragma once
// The store's database file: its tables, and bringing an older store's up to date.
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "store/database.hpp"

namespace stackup::store {

inline constexpr std::string_view database_file = "stackup.db";

// Opens <directory>/stackup.db under the directory lock and sets it up: WAL mode, the tables (a
// reader creates none, and gets no database when there are none), and the columns later versions
// added. A database without tables beside a key file that holds a key is a store whose secrets are
// gone, not a new one: refused, so that a truncated stackup.db is never silently started over.
base::Result<std::optional<Database>> open_store_database(const std::string& directory, const std::string& key_file,
                                                          bool create);

}  // namespace stackup::store
