// The 120 real-world compose files in tests/corpus/compose-real (origins in its MANIFEST.tsv): each
// loads without a crash or hang; the valid ones validate (warnings allowed: their secret and env files
// are absent, as in CI) and print (`config`) as YAML that reads back the same; the broken ones fail
// with the first error recorded in tests/corpus/expected.tsv.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "compose/emit.hpp"
#include "compose/yaml_parse.hpp"
#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

namespace fs = std::filesystem;

struct Expectation {
  bool valid = true;
  std::string first_error;
};

std::map<std::string, Expectation> read_expectations() {
  std::map<std::string, Expectation> table;
  std::ifstream in(fs::path(STACKUP_TESTDATA).parent_path() / "corpus" / "expected.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto first_tab = line.find('\t');
    const auto second_tab = line.find('\t', first_tab + 1);
    table[line.substr(0, first_tab)] = {line.substr(first_tab + 1, second_tab - first_tab - 1) == "valid",
                                        line.substr(second_tab + 1)};
  }
  return table;
}

// A missing corpus folder yields no files, so that HasAllHundredAndTwentyFiles fails by name instead of
// the whole test binary failing to list its tests.
std::vector<std::string> corpus_files() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(STACKUP_CORPUS, error)) {
    const auto extension = entry.path().extension();
    if (extension == ".yml" || extension == ".yaml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class CorpusFile : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusFile, LoadsAsRecorded) {
  static const auto expectations = read_expectations();
  const auto it = expectations.find(GetParam());
  ASSERT_NE(it, expectations.end()) << GetParam() << " is missing from tests/corpus/expected.tsv";
  compose::LoadOptions options;
  options.working_directory = STACKUP_CORPUS;
  // Most of these files are stacks for Swarm: the loader is measured on them, not the local
  // orchestrator's rules (the fixtures test those).
  options.orchestrator = compose::Orchestrator::swarm;
  options.files = {GetParam()};
  const auto loaded = compose::load_project(options, compose::DiskFileSystem{});
  if (it->second.valid) {
    EXPECT_TRUE(loaded.project) << ::testing::PrintToString(headlines(loaded.diagnostics));
    // What `stackup config` prints reads back as the same typed values.
    const auto printed = std::make_shared<const base::SourceFile>(
        base::SourceFile{"printed.yml", compose::to_yaml_text(loaded.document)});
    base::Diagnostics reread;
    const auto again = compose::parse_yaml(printed, reread);
    ASSERT_TRUE(again) << printed->text;
    EXPECT_EQ(compose::to_json_value(*again), compose::to_json_value(loaded.document)) << printed->text;
    return;
  }
  EXPECT_FALSE(loaded.project);
  std::string first_error;
  for (const auto& d : loaded.diagnostics.all()) {
    if (d.severity == base::Severity::error) {
      first_error = base::headline(d);
      break;
    }
  }
  EXPECT_EQ(first_error, it->second.first_error);
}

TEST(Corpus, HasAllHundredAndTwentyFiles) {
  EXPECT_EQ(corpus_files().size(), 120u) << "the corpus belongs in " STACKUP_CORPUS;
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CorpusFile);

INSTANTIATE_TEST_SUITE_P(RealWorld, CorpusFile, ::testing::ValuesIn(corpus_files()),
                         [](const ::testing::TestParamInfo<std::string>& file) {
                           return "file_" + file.param.substr(0, 3);
                         });

}  // namespace
}  // namespace stackup::testing
