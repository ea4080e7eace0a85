#pragma once
// Well-formed UTF-8, as the loader refuses anything else and the YAML writer replaces it.
#include <cstddef>
#include <string_view>

namespace stackup::compose {

// The length in bytes of the well-formed UTF-8 character that starts `rest`, or 0 if there is none
// (a stray continuation byte, a truncated sequence, an overlong form, a surrogate, past U+10FFFF).
std::size_t utf8_length(std::string_view rest);

}  // namespace stackup::compose
