// Every fixture under tests/testdata/{valid,invalid}/NAME.yaml is loaded from disk; what it must
// produce, exactly, is in NAME.expected beside it (one diagnostic headline a line; no file means none).
// Fixtures named swarm_* get the Swarm orchestrator's rules.
// STACKUP_UPDATE_EXPECTED=1 rewrites the .expected files, to be reviewed before committing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> read_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> fixtures(const std::string& kind) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(STACKUP_TESTDATA) / kind)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

compose::LoadedProject load_fixture(const std::string& kind, const std::string& name) {
  compose::LoadOptions options;
  options.working_directory = (fs::path(STACKUP_TESTDATA) / kind).string();
  options.files = {name};
  options.project_name = "fixture";
  // swarm_*.yaml are validated as `--orchestrator swarm` would; the others as the local orchestrator.
  if (name.starts_with("swarm_")) options.orchestrator = compose::Orchestrator::swarm;
  options.environment.set("SET_VAR", "on");
  options.environment.set("SESSION_SECRET", "fixture-session-secret");
  return compose::load_project(options, compose::DiskFileSystem{});
}

void check_fixture(const std::string& kind, const std::string& name) {
  const auto loaded = load_fixture(kind, name);
  const auto actual = headlines_with_rules(loaded.diagnostics);
  for (const auto& d : loaded.diagnostics.all()) EXPECT_NE(d.rule, nullptr) << base::headline(d) << ": no rule";
  const auto expected_path = (fs::path(STACKUP_TESTDATA) / kind / name).replace_extension(".expected");
  if (std::getenv("STACKUP_UPDATE_EXPECTED") != nullptr) {
    if (actual.empty()) {
      fs::remove(expected_path);
    } else {
      std::ofstream out(expected_path);
      for (const auto& line : actual) out << line << '\n';
    }
  }
  const auto expected = fs::exists(expected_path) ? read_lines(expected_path) : std::vector<std::string>{};
  EXPECT_EQ(actual, expected) << name;
  EXPECT_EQ(loaded.project.has_value(), kind == "valid") << name;
}

class ValidFixture : public ::testing::TestWithParam<std::string> {};
class InvalidFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidFixture, LoadsWithExactlyTheExpectedWarnings) { check_fixture("valid", GetParam()); }
TEST_P(InvalidFixture, FailsWithExactlyTheExpectedMessages) { check_fixture("invalid", GetParam()); }

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  return fs::path(info.param).stem().string();
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ValidFixture, ::testing::ValuesIn(fixtures("valid")), test_name);
INSTANTIATE_TEST_SUITE_P(Fixtures, InvalidFixture, ::testing::ValuesIn(fixtures("invalid")), test_name);

}  // namespace
}  // namespace stackup::testing
