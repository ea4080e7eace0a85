#include "store/database.hpp"

#include <fmt/format.h>

namespace stackup::store {
namespace {

[[noreturn]] void raise(sqlite3* db, std::string_view what) {
  throw DatabaseError{fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : "out of memory")};
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK) {
    raise(db, "cannot prepare a statement");
  }
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    raise(db_, "cannot bind a value");
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) raise(db_, "cannot bind a value");
  return *this;
}

Statement& Statement::bind_blob(int index, const void* data, std::size_t size) {
  if (sqlite3_bind_blob(statement_, index, data, static_cast<int>(size), SQLITE_TRANSIENT) != SQLITE_OK) {
    raise(db_, "cannot bind a value");
  }
  return *this;
}

bool Statement::step() {
  const int status = sqlite3_step(statement_);
  if (status == SQLITE_ROW) return true;
  if (status == SQLITE_DONE) return false;
  raise(db_, "database error");
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))) : std::string();
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

std::vector<unsigned char> Statement::blob(int column) const {
  const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(statement_, column));
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
  return data ? std::vector<unsigned char>(data, data + size) : std::vector<unsigned char>();
}

base::Result<Database> Database::open(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return base::fail(message);
  }
  Database database(db);
  try {
    sqlite3_busy_timeout(db, 30000);
    database.execute("PRAGMA journal_mode=WAL");
    database.execute("PRAGMA synchronous=FULL");
    database.execute("PRAGMA foreign_keys=ON");
    database.execute("PRAGMA secure_delete=ON");
  } catch (const DatabaseError& error) {
    return base::fail(error.message);
  }
  return database;
}

Database::~Database() { sqlite3_close(db_); }

void Database::execute(std::string_view sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw DatabaseError{message};
  }
}

Database::Transaction::Transaction(Database& database) : database_(database) { database_.execute("BEGIN IMMEDIATE"); }

Database::Transaction::~Transaction() {
  if (!done_) {
    try {
      database_.execute("ROLLBACK");
    } catch (const DatabaseError&) {  // nothing more to undo
    }
  }
}

void Database::Transaction::commit() {
  database_.execute("COMMIT");
  done_ = true;
}

}  // namespace stackup::store
