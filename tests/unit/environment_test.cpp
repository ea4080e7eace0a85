#include <gtest/gtest.h>

#include "compose/environment.hpp"
#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

compose::Environment load_env(const std::string& text, compose::Environment environment, base::Diagnostics& diagnostics) {
  const auto source = std::make_shared<const base::SourceFile>(base::SourceFile{".env", text});
  compose::load_env_file(source, environment, diagnostics);
  return environment;
}

TEST(EnvFile, ReadsTheDotenvFormat) {
  base::Diagnostics diagnostics;
  const auto environment = load_env(
      "# comment\n"
      "PLAIN=value\n"
      "export EXPORTED=yes\n"
      "SPACED = padded  \n"
      "SINGLE='no $PLAIN expansion'\n"
      "DOUBLE=\"line\\nbreak $PLAIN\"\n"
      "COMMENTED=value # a comment\n"
      "HASH=a#b\n"
      "REFERENCE=${PLAIN}-2\n"
      "EMPTY=\n",
      {}, diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(environment.get("PLAIN"), "value");
  EXPECT_EQ(environment.get("EXPORTED"), "yes");
  EXPECT_EQ(environment.get("SPACED"), "padded");
  EXPECT_EQ(environment.get("SINGLE"), "no $PLAIN expansion");
  EXPECT_EQ(environment.get("DOUBLE"), "line\nbreak value");
  EXPECT_EQ(environment.get("COMMENTED"), "value");
  EXPECT_EQ(environment.get("HASH"), "a#b");
  EXPECT_EQ(environment.get("REFERENCE"), "value-2");
  EXPECT_EQ(environment.get("EMPTY"), "");
}

TEST(EnvFile, TheProcessEnvironmentWinsAndLaterLinesOverrideEarlierOnes) {
  compose::Environment process;
  process.set("TAG", "from-process");
  base::Diagnostics diagnostics;
  const auto environment = load_env("TAG=from-file\nX=1\nX=2\n", process, diagnostics);
  EXPECT_EQ(environment.get("TAG"), "from-process");
  EXPECT_EQ(environment.get("X"), "2");
}

TEST(EnvFile, BadLinesAreReportedWithTheirLine) {
  base::Diagnostics diagnostics;
  load_env("GOOD=1\nnot an assignment\n", {}, diagnostics);
  EXPECT_EQ(headlines(diagnostics),
            std::vector<std::string>{
                ".env:2:1: error: expected NAME=VALUE (names use letters, digits, '_', '.' and '-')"});
}

TEST(EnvFile, DeeplyNestedValuesAreReportedWithTheirLine) {
  std::string deep;
  for (int i = 0; i < 20'000; ++i) deep += "${UNSET:-";
  base::Diagnostics diagnostics;
  load_env("GOOD=1\nDEEP=" + deep + "x" + std::string(20'000, '}') + "\n", {}, diagnostics);
  EXPECT_EQ(headlines(diagnostics),
            std::vector<std::string>{
                ".env:2:1: error: DEEP: ${...} nested more than 64 levels deep; no file needs that"});
}

}  // namespace
}  // namespace stackup::testing
