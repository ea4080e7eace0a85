#pragma once
// A thin RAII layer over SQLite; the only place sqlite3 is used. The database runs in WAL mode with
// full sync (a commit survives a crash or power loss) and waits for other stackup processes holding
// the lock instead of failing, even while a new database is turned to WAL. Deleted rows are
// overwritten (secure_delete).
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace stackup::store {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_blob(int index, const void* data, std::size_t size);

  // Steps once: true while there is a row to read.
  bool step();
  // Steps to completion for statements that return no rows.
  void run();

  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] std::int64_t integer(int column) const;
  [[nodiscard]] std::vector<unsigned char> blob(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

class Database {
 public:
  // Opens (and with `create`, creates) the database file. Errors are values: a missing or corrupt
  // database is the user's to fix.
  static base::Result<Database> open(const std::string& path, bool create);
  ~Database();
  Database(Database&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Database& operator=(Database&&) = delete;
  Database(const Database&) = delete;

  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  void execute(std::string_view sql);
  [[nodiscard]] bool has_table(std::string_view table);
  [[nodiscard]] bool has_column(std::string_view table, std::string_view column);

  // BEGIN IMMEDIATE takes the write lock at once, so a read-then-write cannot race another process.
  class Transaction {
   public:
    explicit Transaction(Database& database);
    ~Transaction();
    void commit();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

   private:
    Database& database_;
    bool done_ = false;
  };

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// SQLite failing on a database it opened (I/O error, corruption, full disk) is reported by throwing
// this; the store turns it into an error value at its edge.
struct DatabaseError {
  std::string message;
  int code = SQLITE_ERROR;
};

}  // namespace stackup::store
