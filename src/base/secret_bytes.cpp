#include "base/secret_bytes.hpp"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stackup::base {

void wipe(void* data, std::size_t size) {
  if (data != nullptr && size > 0) ::explicit_bzero(data, size);
}

SecretBytes::SecretBytes(std::string_view bytes) { append(bytes.data(), bytes.size()); }

SecretBytes::~SecretBytes() { wipe(buffer_.get(), capacity_); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : buffer_(std::move(other.buffer_)), size_(other.size_), capacity_(other.capacity_) {
  other.size_ = 0;
  other.capacity_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe(buffer_.get(), capacity_);
    buffer_ = std::move(other.buffer_);
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.size_ = 0;
    other.capacity_ = 0;
  }
  return *this;
}

void SecretBytes::reserve(std::size_t capacity) {
  if (capacity <= capacity_) return;
  auto bigger = std::make_unique<char[]>(capacity);
  if (size_ > 0) std::memcpy(bigger.get(), buffer_.get(), size_);
  wipe(buffer_.get(), capacity_);
  buffer_ = std::move(bigger);
  capacity_ = capacity;
}

void SecretBytes::append(const char* bytes, std::size_t count) {
  if (count == 0) return;
  if (size_ + count > capacity_) reserve(std::max(size_ + count, capacity_ * 2));
  std::memcpy(buffer_.get() + size_, bytes, count);
  size_ += count;
}

void SecretBytes::resize_uninitialized(std::size_t size) {
  reserve(size);
  size_ = size;
}

void SecretBytes::clear() {
  wipe(buffer_.get(), capacity_);
  size_ = 0;
}

Result<SecretBytes> read_secret(int fd) {
  SecretBytes value;
  char chunk[8192];
  while (true) {
    const auto count = ::read(fd, chunk, sizeof chunk);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      wipe(chunk, sizeof chunk);
      return fail(std::strerror(errno));
    }
    if (count == 0) break;
    value.append(chunk, static_cast<std::size_t>(count));
    if (value.size() > max_secret_size) {
      wipe(chunk, sizeof chunk);
      return fail(std::string(secret_size_message));
    }
  }
  wipe(chunk, sizeof chunk);
  if (value.empty()) return fail(std::string(secret_size_message));
  return value;
}

Result<SecretBytes> read_secret_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::strerror(errno));
  auto value = read_secret(fd);
  ::close(fd);
  return value;
}

}  // namespace stackup::base
