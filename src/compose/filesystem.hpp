#pragma once
// What the loader needs from the disk, behind an interface so unit tests run from memory.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"

namespace stackup::compose {

struct FileStatus {
  bool exists = false;
  bool is_directory = false;
  bool readable = false;
  std::uintmax_t size = 0;
  bool is_special = false;  // neither a regular file nor a directory: a FIFO, a device, a socket
};

// Compose and env files are text a person wrote; anything bigger is a mistake (or /dev/zero's cousin),
// and reading it whole would only exhaust memory.
inline constexpr std::uintmax_t max_text_file_size = 64 * 1024 * 1024;

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Reads a regular file of at most max_text_file_size bytes; the error never quotes the content.
  [[nodiscard]] virtual base::Result<std::string> read(const std::string& path) const = 0;
  // Never reads the content: secret files are only looked at, not opened, when validating.
  [[nodiscard]] virtual FileStatus status(const std::string& path) const = 0;
  // A secret's value: never held in a buffer that is not wiped.
  [[nodiscard]] virtual base::Result<base::SecretBytes> read_secret(const std::string& path) const = 0;
};

class DiskFileSystem final : public FileSystem {
 public:
  [[nodiscard]] base::Result<std::string> read(const std::string& path) const override;
  [[nodiscard]] FileStatus status(const std::string& path) const override;
  [[nodiscard]] base::Result<base::SecretBytes> read_secret(const std::string& path) const override;
};

// An in-memory tree for tests: paths map to contents; a directory is any prefix ending in '/'.
class MemoryFileSystem final : public FileSystem {
 public:
  void add(std::string path, std::string content) { files_[std::move(path)] = std::move(content); }
  [[nodiscard]] base::Result<std::string> read(const std::string& path) const override;
  [[nodiscard]] FileStatus status(const std::string& path) const override;
  [[nodiscard]] base::Result<base::SecretBytes> read_secret(const std::string& path) const override;

 private:
  std::map<std::string, std::string, std::less<>> files_;
};

}  // namespace stackup::compose
