#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compose/interpolate.hpp"
#include "compose/yaml_parse.hpp"
#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

compose::Environment sample_environment() {
  compose::Environment environment;
  environment.set("SET", "value");
  environment.set("EMPTY", "");
  environment.set("INNER", "inner");
  return environment;
}

struct Case {
  std::string text;
  std::string expected;
};

// Names the case in test listings (and so in CTest), instead of a dump of its bytes.
void PrintTo(const Case& example, std::ostream* out) { *out << '"' << example.text << "\" -> \"" << example.expected << '"'; }

class Substitute : public ::testing::TestWithParam<Case> {};

TEST_P(Substitute, FollowsTheComposeSpec) {
  std::set<std::string, std::less<>> unset;
  const auto result = compose::substitute(GetParam().text, sample_environment(), unset);
  ASSERT_TRUE(result) << GetParam().text;
  EXPECT_EQ(*result, GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Templates, Substitute,
    ::testing::Values(Case{"plain", "plain"}, Case{"$SET", "value"}, Case{"${SET}", "value"},
                      Case{"a${SET}b", "avalueb"}, Case{"$SET.x", "value.x"}, Case{"${UNSET:-d}", "d"},
                      Case{"${EMPTY:-d}", "d"}, Case{"${EMPTY-d}", ""}, Case{"${UNSET-d}", "d"},
                      Case{"${SET:+alt}", "alt"}, Case{"${EMPTY:+alt}", ""}, Case{"${EMPTY+alt}", "alt"},
                      Case{"${UNSET+alt}", ""}, Case{"${UNSET:-${INNER}}", "inner"},
                      Case{"${UNSET:-${ALSO_UNSET:-deep}}", "deep"}, Case{"$$SET", "$SET"}, Case{"$${SET}", "${SET}"},
                      Case{"$(cat /run/secrets/x)", "$(cat /run/secrets/x)"}, Case{"cost: 5$", "cost: 5$"},
                      Case{"$1", "$1"}, Case{"${SET:?must be set}", "value"}, Case{"${TAG-:latest}", ":latest"},
                      Case{R"(${SET:-{"json":1}})", "value"}, Case{R"(${UNSET:-{"json":{"a":1}}})", R"({"json":{"a":1}})"},
                      Case{"${UNSET:-a}}", "a}"}));

TEST(Substitute, RequiredVariablesCarryTheirMessage) {
  std::set<std::string, std::less<>> unset;
  const auto result = compose::substitute("${DB_HOST:?set DB_HOST to the database}", sample_environment(), unset);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, compose::TemplateError::Kind::required_missing);
  EXPECT_EQ(result.error().variable, "DB_HOST");
  EXPECT_EQ(result.error().message, "set DB_HOST to the database");
}

TEST(Substitute, EmptyCountsAsMissingOnlyWithAColon) {
  std::set<std::string, std::less<>> unset;
  EXPECT_FALSE(compose::substitute("${EMPTY:?x}", sample_environment(), unset));
  EXPECT_TRUE(compose::substitute("${EMPTY?x}", sample_environment(), unset));
}

TEST(Substitute, MalformedTemplatesAreErrors) {
  for (const char* text : {"${", "${UNCLOSED", "${1X}", "${A:}", "${A!b}", "${}"}) {
    std::set<std::string, std::less<>> unset;
    const auto result = compose::substitute(text, sample_environment(), unset);
    ASSERT_FALSE(result) << text;
    EXPECT_EQ(result.error().kind, compose::TemplateError::Kind::invalid_format) << text;
  }
}

TEST(Substitute, UnsetVariablesAreCollectedButNotThoseInUnusedDefaults) {
  std::set<std::string, std::less<>> unset;
  ASSERT_TRUE(compose::substitute("$NOPE ${SET:-$UNUSED}", sample_environment(), unset));
  EXPECT_THAT(unset, ::testing::ElementsAre("NOPE"));
}

// ${A:-${A:-...x...}} nested `levels` deep.
std::string nested_defaults(std::size_t levels) {
  std::string text;
  for (std::size_t i = 0; i < levels; ++i) text += "${UNSET:-";
  return text + "x" + std::string(levels, '}');
}

TEST(Substitute, NestingIsBoundedInsteadOfOverflowingTheStack) {
  std::set<std::string, std::less<>> unset;
  EXPECT_EQ(compose::substitute(nested_defaults(64), sample_environment(), unset), "x");
  for (const std::size_t levels : {65, 20'000}) {
    const auto result = compose::substitute(nested_defaults(levels), sample_environment(), unset);
    ASSERT_FALSE(result) << levels;
    EXPECT_EQ(result.error().kind, compose::TemplateError::Kind::too_deep) << levels;
  }
}

TEST(Interpolator, ReportsTooDeepNestingAtTheValue) {
  const auto source = std::make_shared<const base::SourceFile>(
      base::SourceFile{"f.yml", "services:\n  web:\n    image: \"" + nested_defaults(20'000) + "\"\n"});
  base::Diagnostics diagnostics;
  auto root = compose::parse_yaml(source, diagnostics);
  ASSERT_TRUE(root);
  compose::Interpolator(compose::Environment{}, diagnostics).run(*root);
  EXPECT_THAT(headlines(diagnostics),
              ::testing::ElementsAre("f.yml:3:12: error: services.web.image: ${...} nested more than 64 levels deep; no "
                                     "file needs that"));
}

TEST(Interpolator, WarnsOncePerVariableAndLeavesKeysAlone) {
  const auto source = std::make_shared<const base::SourceFile>(
      base::SourceFile{"f.yml", "${KEY}: $NOPE\nother: ${NOPE}\nempty: $NOPE\n"});
  base::Diagnostics diagnostics;
  auto root = compose::parse_yaml(source, diagnostics);
  compose::Interpolator(compose::Environment{}, diagnostics).run(*root);
  EXPECT_THAT(headlines(diagnostics),
              ::testing::ElementsAre(
                  "f.yml:1:9: warning: ${KEY}: the \"NOPE\" variable is not set. Defaulting to a blank string."));
  EXPECT_EQ(root->entries[0].key, "${KEY}");
  // A blank result is an empty string, not YAML's null.
  EXPECT_EQ(compose::resolve_scalar(*root->find("empty")).type, compose::ScalarType::string);
}

}  // namespace
}  // namespace stackup::testing
