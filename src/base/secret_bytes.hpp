#pragma once
// Plaintext secret values. The buffer is wiped when it is freed or grows, so no copy of a value is
// left behind in freed memory; it is never copied implicitly, and it has no operator<< on purpose.
// The buffer is whole pages of its own, marked MADV_DONTDUMP, so a core dump never contains a value.
#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace stackup::base {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string_view bytes);
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  void append(const char* bytes, std::size_t count);
  void clear();  // wipes
  void resize_uninitialized(std::size_t size);

  [[nodiscard]] const char* data() const { return buffer_; }
  char* data() { return buffer_; }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::string_view view() const { return {buffer_, size_}; }
  [[nodiscard]] const unsigned char* bytes() const { return reinterpret_cast<const unsigned char*>(buffer_); }

 private:
  void reserve(std::size_t capacity);

  char* buffer_ = nullptr;  // mapped pages, owned; null until the first byte
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// Wipes memory so the compiler cannot skip it.
void wipe(void* data, std::size_t size);

// Docker's limit: a secret holds 1 to 511,999 bytes.
inline constexpr std::size_t max_secret_size = 512000 - 1;
inline constexpr std::string_view secret_size_message = "secret data must be larger than 0 and less than 512000 bytes";

// Reads a secret value from a file descriptor (a file or standard input) without ever holding it in
// an unwiped buffer; refuses more than max_secret_size bytes, reading at most one byte past them.
Result<SecretBytes> read_secret(int fd);
// The same from a regular file (symbolic links are followed, as compose does); a FIFO, a device or a
// directory is refused before anything is read.
Result<SecretBytes> read_secret_file(const std::string& path);

}  // namespace stackup::base
