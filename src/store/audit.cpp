#include "store/audit.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

namespace stackup::store {
namespace {

constexpr std::size_t max_command_length = 300;

crypto::ByteView view(std::string_view text) { return {reinterpret_cast<const unsigned char*>(text.data()), text.size()}; }

// This process's command line, for the log: stackup never takes a value as an argument.
std::string current_command() {
  std::ifstream file("/proc/self/cmdline", std::ios::binary);
  std::string command((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  while (!command.empty() && command.back() == '\0') command.pop_back();
  for (auto& c : command) {
    if (c == '\0') c = ' ';
  }
  if (command.size() > max_command_length) command = command.substr(0, max_command_length) + "...";
  return command;
}

std::string user_name(std::uint32_t uid) {
  const auto* entry = ::getpwuid(uid);
  return entry != nullptr ? entry->pw_name : std::to_string(uid);
}

// An entry's fields without its place in the log: its own MAC covers these.
crypto::Bytes entry_mac(const crypto::Key& key, const AuditEntry& entry) {
  const auto fields = nlohmann::json::array({entry.at, entry.uid, entry.user, entry.action, entry.secret, entry.version,
                                             entry.detail, entry.command})
                          .dump();
  return crypto::mac(key, view("stackup/audit/entry:" + fields));
}

// Its place: the chain MAC covers the previous chain MAC, the sequence number and the entry's MAC.
crypto::Bytes chain_mac(const crypto::Key& key, const crypto::Bytes& previous, std::int64_t seq, const crypto::Bytes& own) {
  return crypto::mac(key, view(fmt::format("stackup/audit/chain:{}:{}:{}", crypto::to_hex(previous), seq, crypto::to_hex(own))));
}

// The log's last entry, MACed, so that entries cut off the end are missed.
std::string head_of(const crypto::Key& key, std::int64_t seq, const crypto::Bytes& chain) {
  return fmt::format("{}:{}", seq, crypto::to_hex(crypto::mac(key, view(fmt::format("stackup/audit/head:{}:{}", seq,
                                                                                     crypto::to_hex(chain))))));
}

struct Head {
  std::int64_t seq = 0;
  std::string text;
};

std::optional<Head> stored_head(Database& database) {
  auto row = database.prepare("SELECT value FROM meta WHERE key = 'audit_head'");
  if (!row.step()) return std::nullopt;
  const auto text = row.text(0);
  return Head{std::atoll(text.substr(0, text.find(':')).c_str()), text};
}

}  // namespace

void append_audit(Database& database, const crypto::Key& key, const AuditEvent& event) {
  AuditEntry entry;
  entry.at = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  entry.uid = ::geteuid();
  entry.user = user_name(entry.uid);
  entry.action = event.action;
  entry.secret = event.secret;
  entry.version = event.version;
  entry.detail = event.detail;
  entry.command = current_command();
  crypto::Bytes previous;
  auto last = database.prepare("SELECT seq, chain_mac FROM audit ORDER BY seq DESC LIMIT 1");
  if (last.step()) {
    entry.seq = last.integer(0) + 1;
    previous = last.blob(1);
  } else {
    entry.seq = 1;
  }
  const auto own = entry_mac(key, entry);
  const auto chain = chain_mac(key, previous, entry.seq, own);
  database
      .prepare("INSERT INTO audit (seq, at, uid, user, action, secret, version, detail, command, entry_mac, chain_mac) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, entry.seq)
      .bind(2, entry.at)
      .bind(3, std::int64_t{entry.uid})
      .bind(4, entry.user)
      .bind(5, entry.action)
      .bind(6, entry.secret)
      .bind(7, std::int64_t{entry.version})
      .bind(8, entry.detail)
      .bind(9, entry.command)
      .bind_blob(10, own.data(), own.size())
      .bind_blob(11, chain.data(), chain.size())
      .run();
  database.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)").bind(1, head_of(key, entry.seq, chain)).run();
}

std::vector<std::string> remac_audit(Database& database, const crypto::Key& old_key, const crypto::Key& new_key) {
  auto problems = verify_audit(database, old_key);
  crypto::Bytes previous;
  std::int64_t last = 0;
  for (const auto& entry : read_audit(database)) {
    const auto own = entry_mac(new_key, entry);
    const auto chain = chain_mac(new_key, previous, entry.seq, own);
    database.prepare("UPDATE audit SET entry_mac = ?, chain_mac = ? WHERE seq = ?")
        .bind_blob(1, own.data(), own.size())
        .bind_blob(2, chain.data(), chain.size())
        .bind(3, entry.seq)
        .run();
    previous = chain;
    last = entry.seq;
  }
  if (last > 0) {
    database.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)").bind(1, head_of(new_key, last, previous)).run();
  }
  return problems;
}

std::vector<AuditEntry> read_audit(Database& database) {
  std::vector<AuditEntry> entries;
  auto rows = database.prepare("SELECT seq, at, uid, user, action, secret, version, detail, command FROM audit ORDER BY seq");
  while (rows.step()) {
    entries.push_back({rows.integer(0), rows.integer(1), static_cast<std::uint32_t>(rows.integer(2)), rows.text(3),
                       rows.text(4), rows.text(5), static_cast<int>(rows.integer(6)), rows.text(7), rows.text(8)});
  }
  return entries;
}

std::vector<std::string> verify_audit(Database& database, const crypto::Key& key) {
  std::vector<std::string> problems;
  auto rows = database.prepare(
      "SELECT seq, at, uid, user, action, secret, version, detail, command, entry_mac, chain_mac FROM audit ORDER BY seq");
  crypto::Bytes previous;
  std::int64_t expected = 1;
  std::int64_t last = 0;
  while (rows.step()) {
    const AuditEntry entry{rows.integer(0), rows.integer(1), static_cast<std::uint32_t>(rows.integer(2)), rows.text(3),
                           rows.text(4), rows.text(5), static_cast<int>(rows.integer(6)), rows.text(7), rows.text(8)};
    const auto own = rows.blob(9);
    const auto chain = rows.blob(10);
    if (entry.seq > expected) {
      problems.push_back(entry.seq == expected + 1 ? fmt::format("entry {} is missing: it was deleted", expected)
                                                   : fmt::format("entries {} to {} are missing: they were deleted",
                                                                 expected, entry.seq - 1));
    }
    if (!crypto::equal_in_constant_time(own, entry_mac(key, entry))) {
      problems.push_back(fmt::format("entry {} was edited: its content does not match its MAC", entry.seq));
    } else if (entry.seq == expected && !crypto::equal_in_constant_time(chain, chain_mac(key, previous, entry.seq, own))) {
      problems.push_back(fmt::format("entry {} is out of place: entries were reordered", entry.seq));
    }
    previous = chain;  // go on from what is there, so one problem is reported once
    expected = entry.seq + 1;
    last = entry.seq;
  }
  const auto head = stored_head(database);
  if (head && head->seq > last) {
    problems.push_back(fmt::format("the log was truncated: it ends at entry {}, but entry {} was written", last, head->seq));
  } else if (head && head->text != head_of(key, last, previous)) {
    problems.push_back(fmt::format("the log's last entry ({}) is not the one last written", last));
  } else if (!head && last > 0) {
    problems.push_back("the log's head is missing from the store's meta table");
  }
  return problems;
}

}  // namespace stackup::store
