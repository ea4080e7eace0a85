#include <gtest/gtest.h>

#include "compose/emit.hpp"
#include "compose/yaml_parse.hpp"

namespace stackup::testing {
namespace {

using compose::Node;
using compose::ScalarStyle;

Node parse(std::string text) {
  base::Diagnostics diagnostics;
  const auto source = std::make_shared<const base::SourceFile>(base::SourceFile{"f.yml", std::move(text)});
  auto root = compose::parse_yaml(source, diagnostics);
  EXPECT_TRUE(root && diagnostics.empty()) << source->text;
  return root ? *root : Node{};
}

TEST(Emit, BlockStyleWithListsIndentedUnderTheirKey) {
  EXPECT_EQ(compose::to_yaml_text(parse("a:\n  b: [1, {c: d, e: f}, [g, h], []]\n  i: {}\nj: ~\n")),
            "a:\n"
            "  b:\n"
            "    - 1\n"
            "    - c: d\n"
            "      e: f\n"
            "    - - g\n"
            "      - h\n"
            "    - []\n"
            "  i: {}\n"
            "j: ~\n");
}

TEST(Emit, StringsThatWouldReadAsSomethingElseAreQuoted) {
  const std::string text =
      "a: ['10', 'true', 'yes', 'null', '', ' x', 'a: b', 'a #b', '#c', '- d', '-', '*e', 'f:', \"g\\nh\", "
      "\"\\t\", \"\\x01\", \"\\u2028\", '\"', '\\', -x, é, 10, true]\n";
  const auto printed = compose::to_yaml_text(parse(text));
  EXPECT_EQ(printed,
            "a:\n  - \"10\"\n  - \"true\"\n  - \"yes\"\n  - \"null\"\n  - \"\"\n  - \" x\"\n  - \"a: b\"\n  - \"a #b\"\n"
            "  - \"#c\"\n  - \"- d\"\n  - \"-\"\n  - \"*e\"\n  - \"f:\"\n  - \"g\\nh\"\n  - \"\\t\"\n  - \"\\x01\"\n"
            "  - \"\\L\"\n  - \"\\\"\"\n  - \\\n  - -x\n  - é\n  - 10\n  - true\n");
  EXPECT_EQ(compose::to_json_value(parse(printed)), compose::to_json_value(parse(text)));
}

TEST(Emit, StringsOtherReadersTypeAreQuotedToo) {
  // PyYAML reads 53:53 as 3233 and 2024-01-01 as a date; go-yaml reads 0b101 and 1_000 as numbers.
  const auto printed = compose::to_yaml_text(
      parse("a: ['53:53', '.inf', '0x1F', '0b101', '1_000', '2024-01-01', '-.5', 'v1.2', 'nginx:1.27']\n'<<': x\n"));
  EXPECT_EQ(printed,
            "a:\n  - \"53:53\"\n  - \".inf\"\n  - \"0x1F\"\n  - \"0b101\"\n  - \"1_000\"\n  - \"2024-01-01\"\n"
            "  - \"-.5\"\n  - v1.2\n  - nginx:1.27\n\"<<\": x\n");
}

TEST(Emit, ControlsAndNonCharactersAreEscaped) {
  Node root = Node::make_mapping({});
  root.set("a", Node::make_scalar("x\xC2\x9By\xEF\xBF\xBE", {}));
  EXPECT_EQ(compose::to_yaml_text(root), "a: \"x\\u009By\\uFFFE\"\n");
}

TEST(Emit, BytesThatAreNotUtf8BecomeTheReplacementCharacter) {
  Node root = Node::make_mapping({});
  root.set("a", Node::make_scalar("x\xFFy", {}));
  EXPECT_EQ(compose::to_yaml_text(root), "a: \"x\\uFFFDy\"\n");
}

}  // namespace
}  // namespace stackup::testing
