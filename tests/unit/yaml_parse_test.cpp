#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "compose/yaml_parse.hpp"
#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

using compose::Node;
using compose::ScalarStyle;

struct Parsed {
  std::optional<Node> root;
  base::Diagnostics diagnostics;
};

Parsed parse(std::string text) {
  Parsed parsed;
  const auto source = std::make_shared<const base::SourceFile>(base::SourceFile{"f.yml", std::move(text)});
  parsed.root = compose::parse_yaml(source, parsed.diagnostics);
  return parsed;
}

TEST(YamlParse, PositionsAreOneBased) {
  const auto parsed = parse("services:\n  web:\n    image: nginx\n");
  const Node& image = *parsed.root->find("services")->find("web")->find("image");
  EXPECT_EQ(image.location.line, 3);
  EXPECT_EQ(image.location.column, 12);
  const auto* entry = parsed.root->find("services")->find("web")->find_entry("image");
  EXPECT_EQ(entry->key_location.line, 3);
  EXPECT_EQ(entry->key_location.column, 5);
}

TEST(YamlParse, QuotedScalarsStayStrings) {
  const auto parsed = parse("a: '0440'\nb: 0440\nc: |\n  true\nd: !!str 12\n");
  EXPECT_EQ(parsed.root->find("a")->style, ScalarStyle::quoted);
  EXPECT_EQ(parsed.root->find("b")->style, ScalarStyle::plain);
  EXPECT_EQ(parsed.root->find("c")->style, ScalarStyle::quoted);
  EXPECT_EQ(parsed.root->find("d")->style, ScalarStyle::quoted);
  const auto mode = compose::resolve_scalar(*parsed.root->find("b"));
  EXPECT_EQ(mode.type, compose::ScalarType::integer);
  EXPECT_EQ(mode.integer, 0440);
  EXPECT_TRUE(mode.octal);
}

TEST(YamlParse, MergeKeysLetExplicitKeysWinAndKeepTheFirstMergedValue) {
  const auto parsed = parse(
      "x-a: &a {image: a, restart: always, user: a}\n"
      "x-b: &b {image: b, tty: true}\n"
      "web:\n  image: mine\n  <<: [*a, *b]\n");
  const Node& web = *parsed.root->find("web");
  EXPECT_EQ(web.find("image")->scalar, "mine");
  EXPECT_EQ(web.find("restart")->scalar, "always");
  EXPECT_EQ(web.find("tty")->scalar, "true");
  EXPECT_EQ(web.find("<<"), nullptr);
  EXPECT_TRUE(parsed.diagnostics.empty());
}

TEST(YamlParse, DuplicateKeysAreReportedAtTheSecondKey) {
  const auto parsed = parse("a: 1\nb: 2\na: 3\n");
  EXPECT_THAT(headlines(parsed.diagnostics), ::testing::ElementsAre("f.yml:3:1: error: mapping key \"a\" already defined at line 1"));
  EXPECT_EQ(parsed.root->find("a")->scalar, "1");
}

TEST(YamlParse, ResetAndOverrideTagsAreKept) {
  const auto parsed = parse("ports: !reset []\nimage: !override nginx\nuser: !reset null\n");
  EXPECT_EQ(parsed.root->find("ports")->tag, "!reset");
  EXPECT_EQ(parsed.root->find("image")->tag, "!override");
  EXPECT_EQ(compose::resolve_scalar(*parsed.root->find("user")).type, compose::ScalarType::null);
}

TEST(YamlParse, SyntaxErrorsPointAtTheLine) {
  const auto parsed = parse("a: [1, 2\n");
  EXPECT_FALSE(parsed.root);
  ASSERT_EQ(parsed.diagnostics.all().size(), 1u);
  EXPECT_EQ(parsed.diagnostics.all()[0].location.line, 2);
}

TEST(YamlParse, BillionLaughsIsRefusedWithoutExpansion) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string previous = "a";
  for (const char* name : {"b", "c", "d", "e", "f", "g", "h", "i", "j"}) {
    text += std::string(name) + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *" : "*") + previous;
    text += "]\n";
    previous = name;
  }
  const auto parsed = parse(text);
  EXPECT_FALSE(parsed.root);
  ASSERT_EQ(parsed.diagnostics.all().size(), 1u);
  EXPECT_THAT(parsed.diagnostics.all()[0].message, ::testing::StartsWith("too many aliases: expanding them would create"));
}

TEST(YamlParse, ANulByteIsNamedAtItsPlace) {
  const auto parsed = parse(std::string("services:\n  web:\n    image: ng\0inx\n", 34));
  EXPECT_FALSE(parsed.root);
  EXPECT_THAT(headlines(parsed.diagnostics),
              ::testing::ElementsAre("f.yml:3:14: error: the file contains a NUL byte (\\0) here; compose files are text"));
  // The excerpt shows the byte as '?', so the caret lines up and no NUL reaches the terminal.
  EXPECT_EQ(base::render_text(parsed.diagnostics.all()[0]),
            "f.yml:3:14: error: the file contains a NUL byte (\\0) here; compose files are text [yaml-encoding]\n"
            "      image: ng?inx\n"
            "               ^");
}

TEST(YamlParse, DeepNestingIsRefusedWithoutOverflowingTheStack) {
  for (const char* open : {"[", "{"}) {
    std::string text = "a: ";
    for (int i = 0; i < 100'000; ++i) text += open;
    const auto parsed = parse(text);
    EXPECT_FALSE(parsed.root) << open;
    ASSERT_EQ(parsed.diagnostics.all().size(), 1u) << open;
    EXPECT_EQ(parsed.diagnostics.all()[0].message,
              "values nested 500 or more levels deep; a compose file never needs that");
  }
}

// An anchor nested 490 lists deep (the parse's bound is 500), then an alias to it nested `levels` deep.
std::string deep_alias(int levels) {
  return fmt::format("a1: &a1 {}x{}\na2: {}*a1{}\n", std::string(490, '['), std::string(490, ']'),
                     std::string(static_cast<std::size_t>(levels), '['), std::string(static_cast<std::size_t>(levels), ']'));
}

TEST(YamlParse, AliasesCannotNestValuesDeeperThanTheParserWould) {
  // The root, 7 lists, then the anchor's 490 lists and its scalar: 499 levels.
  EXPECT_TRUE(parse(deep_alias(7)).diagnostics.empty());
  const auto parsed = parse(deep_alias(8));
  EXPECT_FALSE(parsed.root);
  EXPECT_THAT(headlines(parsed.diagnostics),
              ::testing::ElementsAre("f.yml:2:13: error: a2[0][0][0][0][0][0][0]: values nested 500 or more levels deep "
                                     "once aliases are expanded; a compose file never needs that"));
}

TEST(YamlParse, EmptyDocumentIsNull) {
  const auto parsed = parse("# nothing here\n");
  ASSERT_TRUE(parsed.root);
  EXPECT_TRUE(parsed.root->is_null());
}


TEST(YamlParse, ColumnsCountBytesAfterMultiByteCharacters) {
  const auto parsed = parse("a: [1, é, x]\n");
  EXPECT_EQ(parsed.root->find("a")->items[2].location.column, 12);
}

TEST(YamlParse, ATabInTheIndentationIsNamed) {
  EXPECT_THAT(headlines(parse("services:\n  web:\n\timage: nginx\n").diagnostics),
              ::testing::ElementsAre("f.yml:3:1: error: a tab in the indentation; YAML indents with spaces only "
                                     "(found character that cannot start any token)"));
}

TEST(YamlParse, BlankLinesWithTabsAreBlankLines) {
  const auto parsed = parse("services:\n  web:\n\t\n    image: nginx\n");
  EXPECT_TRUE(parsed.diagnostics.empty());
  EXPECT_EQ(parsed.root->find("services")->find("web")->find("image")->location.line, 4);
}

TEST(YamlParse, AnUnknownAnchorIsNamedAtItsAlias) {
  EXPECT_THAT(headlines(parse("a: 1\nb: *nope\n").diagnostics),
              ::testing::ElementsAre("f.yml:2:4: error: unknown anchor 'nope' referenced"));
}

TEST(YamlParse, NullsAreUntaggedPlainNullWordsOnly) {
  const auto parsed = parse("a:\nb: ~\nc: NULL\nd: 'null'\ne: !!str\n");
  EXPECT_TRUE(parsed.root->find("a")->is_null());
  EXPECT_TRUE(parsed.root->find("b")->is_null());
  EXPECT_TRUE(parsed.root->find("c")->is_null());
  EXPECT_EQ(parsed.root->find("d")->style, ScalarStyle::quoted);
  EXPECT_TRUE(parsed.root->find("e")->is_scalar());
}

TEST(YamlParse, OnlyTheFirstDocumentIsRead) {
  const auto parsed = parse("a: 1\n---\nb: [\n");
  EXPECT_TRUE(parsed.diagnostics.empty());
  EXPECT_EQ(parsed.root->find("a")->scalar, "1");
}


TEST(YamlParse, AByteOrderMarkIsSkippedAndEveryKeyKept) {
  const auto parsed = parse("\xEF\xBB\xBFservices:\n  web:\n    image: nginx\nname: prod\n");
  EXPECT_TRUE(parsed.diagnostics.empty());
  EXPECT_EQ(parsed.root->find("name")->scalar, "prod");
  EXPECT_EQ(parsed.root->find_entry("services")->key_location.column, 4);  // after the mark's 3 bytes
}

TEST(YamlParse, TextAfterARootThatEndedIsAnErrorNotDropped) {
  const auto parsed = parse(" a: 1\nb: 2\n");
  EXPECT_FALSE(parsed.root);
  EXPECT_THAT(headlines(parsed.diagnostics), ::testing::ElementsAre("f.yml:2:1: error: did not find expected <document start>"));
}

TEST(YamlParse, LinesBreakOnlyAtNewlinesAsTheExcerptsDo) {
  // libyaml also breaks lines at U+2028; the excerpt under a diagnostic would then be a line off.
  const auto parsed = parse("a: \"x\xE2\x80\xA8y\"\nb: *nope\n");
  EXPECT_THAT(headlines(parsed.diagnostics), ::testing::ElementsAre("f.yml:2:4: error: unknown anchor 'nope' referenced"));
}

TEST(YamlParse, AControlCharacterIsNamedAtItsPlace) {
  EXPECT_THAT(headlines(parse("a: 1\nb: x\x1By\n").diagnostics),
              ::testing::ElementsAre("f.yml:2:5: error: the file contains the control character U+001B here; compose files "
                                     "are text (in a double-quoted value, write it as an escape such as \\x1B)"));
}

TEST(YamlParse, ATabAfterAListDashIsNotCalledIndentation) {
  EXPECT_TRUE(parse("a:\n  b:\t1\n").diagnostics.empty());
  EXPECT_THAT(headlines(parse("a:\n  -\tx\n").diagnostics),
              ::testing::ElementsAre("f.yml:2:4: error: a tab where YAML allows only spaces, such as after ':' or '-' "
                                     "(found character that cannot start any token)"));
}

TEST(YamlParse, AnUnclosedQuoteIsShownWhereItOpens) {
  EXPECT_THAT(headlines(parse("a: 1\nb: \"open\nc: 2\n").diagnostics),
              ::testing::ElementsAre("f.yml:2:4: error: found unexpected end of stream while scanning a quoted scalar "
                                     "that starts here"));
}

TEST(YamlParse, ACoreTagTypesAQuotedScalar) {
  const auto parsed = parse("a: !!int \"5\"\nb: ! 5\n");
  EXPECT_EQ(compose::resolve_scalar(*parsed.root->find("a")).type, compose::ScalarType::integer);
  EXPECT_EQ(parsed.root->find("b")->style, ScalarStyle::quoted);
}

TEST(YamlParse, ANullKeyIsNamedAsWritten) {
  EXPECT_THAT(headlines(parse("environment:\n  ~: x\n").diagnostics),
              ::testing::ElementsAre("f.yml:2:3: error: environment.~: the key ~ is null, not a string; quote it (\"~\")"));
}

}  // namespace
}  // namespace stackup::testing
