#include "compose/filesystem.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace stackup::compose {

base::Result<std::string> DiskFileSystem::read(const std::string& path) const {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return base::fail("is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::fail(std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

FileStatus DiskFileSystem::status(const std::string& path) const {
  FileStatus status;
  std::error_code error;
  const auto info = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(info)) return status;
  status.exists = true;
  status.is_directory = std::filesystem::is_directory(info);
  status.readable = ::access(path.c_str(), R_OK) == 0;
  if (!status.is_directory) status.size = std::filesystem::file_size(path, error);
  return status;
}

base::Result<std::string> MemoryFileSystem::read(const std::string& path) const {
  const auto it = files_.find(path);
  if (it == files_.end()) return base::fail("No such file or directory");
  return it->second;
}

FileStatus MemoryFileSystem::status(const std::string& path) const {
  if (const auto it = files_.find(path); it != files_.end()) return {true, false, true, it->second.size()};
  const auto directory = path.ends_with('/') ? path : path + "/";
  const auto it = files_.lower_bound(directory);
  if (it != files_.end() && it->first.starts_with(directory)) return {true, true, true, 0};
  return {};
}

}  // namespace stackup::compose
