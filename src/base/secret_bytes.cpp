#include "base/secret_bytes.hpp"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <utility>

namespace stackup::base {
namespace {

std::size_t page_size() {
  static const auto size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

std::size_t whole_pages(std::size_t bytes) { return (bytes + page_size() - 1) / page_size() * page_size(); }

// Pages of their own rather than heap memory: madvise works on whole pages, and heap neighbours of
// a value must not lose their place in a core dump, nor a value be left in the heap's free lists.
char* allocate(std::size_t capacity) {
  void* pages = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED) throw std::bad_alloc();
  // Best effort: a kernel that refuses still gets a value that is wiped when freed.
  (void)::madvise(pages, capacity, MADV_DONTDUMP);
  return static_cast<char*>(pages);
}

void release(char* buffer, std::size_t capacity) {
  if (buffer == nullptr) return;
  wipe(buffer, capacity);
  ::munmap(buffer, capacity);
}

}  // namespace

void wipe(void* data, std::size_t size) {
  if (data != nullptr && size > 0) ::explicit_bzero(data, size);
}

SecretBytes::SecretBytes(std::string_view bytes) { append(bytes.data(), bytes.size()); }

SecretBytes::~SecretBytes() { release(buffer_, capacity_); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : buffer_(std::exchange(other.buffer_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    release(buffer_, capacity_);
    buffer_ = std::exchange(other.buffer_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

void SecretBytes::reserve(std::size_t capacity) {
  if (capacity <= capacity_) return;
  const auto pages = whole_pages(capacity);
  char* bigger = allocate(pages);
  if (size_ > 0) std::memcpy(bigger, buffer_, size_);
  release(buffer_, capacity_);
  buffer_ = bigger;
  capacity_ = pages;
}

void SecretBytes::append(const char* bytes, std::size_t count) {
  if (count == 0) return;
  if (size_ + count > capacity_) reserve(std::max(size_ + count, capacity_ * 2));
  std::memcpy(buffer_ + size_, bytes, count);
  size_ += count;
}

void SecretBytes::resize_uninitialized(std::size_t size) {
  reserve(size);
  size_ = size;
}

void SecretBytes::clear() {
  wipe(buffer_, capacity_);
  size_ = 0;
}

Result<SecretBytes> read_secret(int fd) {
  SecretBytes value;
  char chunk[8192];
  while (true) {
    // One byte past the largest secret is enough to refuse it: a huge file or an endless pipe is
    // never read further.
    const auto wanted = std::min(sizeof chunk, max_secret_size + 1 - value.size());
    const auto count = ::read(fd, chunk, wanted);
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
  // O_NONBLOCK: opening a FIFO that no one writes to must not hang before it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail(std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    return fail(std::strerror(error));
  }
  // Checked on the opened descriptor, so the file cannot be swapped for another after the check.
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return fail(S_ISDIR(info.st_mode) ? "is a directory, not a regular file" : "is not a regular file");
  }
  auto value = read_secret(fd);
  ::close(fd);
  return value;
}

}  // namespace stackup::base
