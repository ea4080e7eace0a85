#include "store/database.hpp"

#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace stackup::store {
namespace {

constexpr std::chrono::milliseconds busy_timeout{30000};

[[noreturn]] void raise(sqlite3* db, std::string_view what) {
  throw DatabaseError{fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : "out of memory"),
                      db ? sqlite3_errcode(db) : SQLITE_NOMEM};
}

// Runs `work` again while another connection holds the lock it needs, up to the busy timeout.
template <class Work>
void retry_while_busy(Work work) {
  const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
  while (true) {
    try {
      work();
      return;
    } catch (const DatabaseError& error) {
      if ((error.code & 0xFF) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
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
    sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
    // Turning a database to WAL upgrades the pragma's read lock to a write lock, and SQLite never
    // calls the busy handler for such an upgrade (two connections waiting on each other would
    // deadlock): a process setting up a new store while another wrote to it got "database is
    // locked" at once, busy timeout or not. So that SQLITE_BUSY is retried here.
    retry_while_busy([&] { database.execute("PRAGMA journal_mode=WAL"); });
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
  if (const int code = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error); code != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw DatabaseError{message, code};
  }
}

bool Database::has_table(std::string_view table) {
  auto statement = prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  statement.bind(1, table);
  return statement.step();
}

bool Database::has_column(std::string_view table, std::string_view column) {
  auto statement = prepare("SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  statement.bind(1, table).bind(2, column);
  return statement.step();
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
