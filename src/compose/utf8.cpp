#include "compose/utf8.hpp"

namespace stackup::compose {

std::size_t utf8_length(std::string_view rest) {
  if (rest.empty()) return 0;
  const auto byte = static_cast<unsigned char>(rest.front());
  std::size_t length = 0;
  if (byte < 0x80) length = 1;
  else if (byte >= 0xC2 && byte <= 0xDF) length = 2;
  else if (byte >= 0xE0 && byte <= 0xEF) length = 3;
  else if (byte >= 0xF0 && byte <= 0xF4) length = 4;
  if (length == 0 || length > rest.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(rest[k]) & 0xC0) != 0x80) return 0;
  }
  // Overlong forms, surrogates and code points past U+10FFFF, told by the second byte.
  const auto second = static_cast<unsigned char>(length > 1 ? rest[1] : 0);
  if ((byte == 0xE0 && second < 0xA0) || (byte == 0xED && second > 0x9F) || (byte == 0xF0 && second < 0x90) ||
      (byte == 0xF4 && second > 0x8F)) {
    return 0;
  }
  return length;
}

}  // namespace stackup::compose
