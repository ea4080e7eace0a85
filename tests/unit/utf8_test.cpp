#include <gtest/gtest.h>

#include "compose/utf8.hpp"

namespace stackup::compose {
namespace {

TEST(Utf8, MeasuresEachWellFormedCharacter) {
  EXPECT_EQ(utf8_length("a"), 1u);
  EXPECT_EQ(utf8_length("\xC3\xA9x"), 2u);          // é
  EXPECT_EQ(utf8_length("\xE2\x82\xAC"), 3u);        // €
  EXPECT_EQ(utf8_length("\xF0\x9F\x94\x91"), 4u);    // 🔑
  EXPECT_EQ(utf8_length("\xF4\x8F\xBF\xBF"), 4u);    // U+10FFFF
  EXPECT_EQ(utf8_length("\xE0\xA0\x80"), 3u);        // U+0800, the first three-byte one
  EXPECT_EQ(utf8_length("\xED\x9F\xBF"), 3u);        // U+D7FF, the last before the surrogates
  EXPECT_EQ(utf8_length("\xF0\x90\x80\x80"), 4u);    // U+10000, the first four-byte one
  EXPECT_EQ(utf8_length(std::string_view("\0", 1)), 1u);  // a NUL is UTF-8: callers refuse it themselves
}

TEST(Utf8, RefusesWhatIsNotWellFormed) {
  for (const std::string_view bad : {"", "\x80", "\xC0\xAF", "\xC1\xBF", "\xC3", "\xC3(", "\xE0\x80\xAF",
                                     "\xED\xA0\x80", "\xF0\x80\x80\xAF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
                                     "\xE2\x82", "\xE2\x82(", "\xFF"}) {
    EXPECT_EQ(utf8_length(bad), 0u) << testing::PrintToString(std::string(bad));
  }
}

}  // namespace
}  // namespace stackup::compose
