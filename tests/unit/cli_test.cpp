// The command line, run in-process: exit codes, output formats, --help and --version.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/context.hpp"
#include "compose/rules.hpp"

namespace stackup::testing {
namespace {

namespace fs = std::filesystem;

struct Run {
  int code = 0;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> arguments, std::vector<std::string> environment = {},
        std::string directory = (fs::path(STACKUP_TESTDATA) / "invalid").string()) {
  std::ostringstream out;
  std::ostringstream err;
  Run result;
  result.code = cli::run(arguments, environment, directory, {out, err, false, false});
  result.out = out.str();
  result.err = err.str();
  return result;
}

TEST(Cli, EachLineOfAFailureIsAnErrorOfItsOwn) {
  std::ostringstream out;
  std::ostringstream err;
  cli::Context context{{out, err, false, false}, {}, "/"};
  EXPECT_EQ(cli::fail_with(context, "container a was left: x\nnetwork n was left: y"), 1);
  EXPECT_EQ(err.str(), "stackup: error: container a was left: x\nstackup: error: network n was left: y\n");
}

TEST(Cli, VersionAndHelpExitZero) {
  EXPECT_EQ(run({"--version"}).code, 0);
  EXPECT_THAT(run({"--version"}).out, ::testing::StartsWith("stackup version "));
  const auto help = run({"validate", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, ::testing::HasSubstr("--strict"));
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}).code, 2);
  EXPECT_EQ(run({"frobnicate"}).code, 2);
  EXPECT_EQ(run({"validate", "--format", "xml"}).code, 2);
}

TEST(Cli, AMisspeltCommandGetsTheClosestOne) {
  const auto typo = run({"valdiate"});
  EXPECT_EQ(typo.code, 2);
  EXPECT_EQ(typo.err, "stackup: error: unknown command 'valdiate': did you mean 'validate'?\n");
  EXPECT_EQ(run({"--log-level", "debug", "depoly"}).err, "stackup: error: unknown command 'depoly': did you mean 'deploy'?\n");
  EXPECT_EQ(run({"frobnicate"}).err, "stackup: error: unknown command 'frobnicate': see stackup --help\n");
}

// What runs on the local engine is not what runs on a Swarm: validate applies the rules of the
// orchestrator it is told (--orchestrator, else STACKUP_ORCHESTRATOR, else local).
TEST(Cli, ValidateAppliesTheChosenOrchestratorsRules) {
  EXPECT_EQ(run({"validate", "-q", "-c", "local_orchestrator.yaml"}).code, 1);
  EXPECT_EQ(run({"validate", "-q", "--orchestrator", "swarm", "-c", "local_orchestrator.yaml"}).code, 0);
  EXPECT_EQ(run({"validate", "-q", "-c", "local_orchestrator.yaml"}, {"STACKUP_ORCHESTRATOR=swarm"}).code, 0);
  const auto unknown = run({"validate", "-c", "local_orchestrator.yaml"}, {"STACKUP_ORCHESTRATOR=nomad"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_EQ(unknown.err, "stackup: error: STACKUP_ORCHESTRATOR is \"nomad\"; use local or swarm\n");
  EXPECT_EQ(run({"validate", "--orchestrator", "nomad"}).code, 2);
}

TEST(Cli, ValidateExitsOneWithCompilerStyleText) {
  const auto result = run({"validate", "-c", "duplicate_targets.yaml"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out,
            "duplicate_targets.yaml:8:17: error: services.web.secrets[1].target: secret references 'a' and 'b' have a "
            "conflicting target: '/run/secrets/token' [target-conflict]\n"
            "          target: /run/secrets/token\n"
            "                  ^\n"
            "duplicate_targets.yaml: invalid (1 error, 0 warnings)\n");
}

TEST(Cli, ValidateAcceptsFAsAnAliasOfC) {
  EXPECT_EQ(run({"validate", "-f", "duplicate_targets.yaml"}).code, 1);
}

TEST(Cli, ValidExamplesExitZero) {
  for (const char* example : {"wordpress", "nginx-tls", "wordpress-advanced", "secret-rotation", "ucp-permission-labels", "dcos-path-spaces"}) {
    const auto result = run({"validate"}, {}, (fs::path(STACKUP_EXAMPLES) / example).string());
    EXPECT_EQ(result.code, 0) << example << result.out;
    EXPECT_EQ(result.out, "compose.yaml: valid (0 errors, 0 warnings)\n") << example;
  }
}

TEST(Cli, QuietPrintsNothingForValidFiles) {
  const auto result = run({"validate", "-q"}, {}, (fs::path(STACKUP_EXAMPLES) / "wordpress").string());
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, "");
}

TEST(Cli, MissingFileExitsTwo) {
  const auto result = run({"validate", "-c", "no-such-file.yaml"});
  EXPECT_EQ(result.code, 2);
  EXPECT_EQ(result.out, "error: cannot read compose file no-such-file.yaml: No such file or directory [file-unreadable]\n");
}

TEST(Cli, JsonFormatIsMachineReadable) {
  const auto result = run({"validate", "--format", "json", "-c", "duplicate_targets.yaml"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, R"({
  "diagnostics": [
    {
      "column": 17,
      "file": "duplicate_targets.yaml",
      "line": 8,
      "message": "secret references 'a' and 'b' have a conflicting target: '/run/secrets/token'",
      "path": "services.web.secrets[1].target",
      "rule": "target-conflict",
      "severity": "error"
    }
  ],
  "errors": 1,
  "valid": false,
  "version": 1,
  "warnings": 0
}
)");
}

TEST(Cli, GithubFormatPrintsAnnotations) {
  const auto result = run({"validate", "--format", "github", "-c", "duplicate_targets.yaml"});
  EXPECT_EQ(result.out,
            "::error file=duplicate_targets.yaml,line=8,col=17,title=target-conflict::services.web.secrets[1].target: "
            "secret references 'a' and 'b' have a conflicting target: '/run/secrets/token'\n"
            "::notice title=stackup validate::duplicate_targets.yaml: invalid (1 error, 0 warnings)\n");
}

TEST(Cli, IgnoreDropsARuleAndWarningsAsErrorsFailsOnWarnings) {
  const auto directory = (fs::path(STACKUP_TESTDATA) / "valid").string();
  const auto file = "decimal_mode_and_legacy_external.yaml";
  EXPECT_EQ(run({"validate", "-q", "-c", file}, {}, directory).code, 0);
  const auto strict = run({"validate", "-q", "--warnings-as-errors", "-c", file}, {}, directory);
  EXPECT_EQ(strict.code, 1);
  const auto ignored = run({"validate", "--warnings-as-errors", "--ignore", "mode-decimal", "--ignore",
                            "external-name-deprecated", "-c", file},
                           {}, directory);
  EXPECT_EQ(ignored.code, 0);
  EXPECT_EQ(ignored.out, "decimal_mode_and_legacy_external.yaml: valid (0 errors, 0 warnings)\n");
  const auto typo = run({"validate", "--ignore", "mode-decmal", "-c", file}, {}, directory);
  EXPECT_EQ(typo.code, 2);
  EXPECT_EQ(typo.err, "stackup: error: --ignore mode-decmal: no such rule; did you mean mode-decimal?\n");
}

TEST(Cli, SarifListsTheRulesAndLocatesEachResult) {
  const auto result = run({"validate", "--format", "sarif", "-c", "duplicate_targets.yaml"});
  EXPECT_EQ(result.code, 1);
  const auto log = nlohmann::json::parse(result.out);
  EXPECT_EQ(log["version"], "2.1.0");
  const auto& first = log["runs"][0];
  EXPECT_EQ(first["tool"]["driver"]["name"], "stackup");
  const auto& rules = first["tool"]["driver"]["rules"];
  EXPECT_EQ(rules.size(), compose::rules::all().size());
  ASSERT_EQ(first["results"].size(), 1u);
  const auto& result0 = first["results"][0];
  EXPECT_EQ(result0.dump(),
            R"({"level":"error","locations":[{"physicalLocation":{"artifactLocation":{"uri":"duplicate_targets.yaml"},)"
            R"("region":{"startColumn":17,"startLine":8}}}],"message":{"text":"services.web.secrets[1].target: secret )"
            R"(references 'a' and 'b' have a conflicting target: '/run/secrets/token'"},"ruleId":"target-conflict",)"
            R"("ruleIndex":)" + std::to_string(result0["ruleIndex"].get<int>()) + "}");
  EXPECT_EQ(rules[result0["ruleIndex"].get<int>()]["id"], "target-conflict");
  for (const auto& rule : rules) {
    EXPECT_FALSE(rule["shortDescription"]["text"].get<std::string>().empty()) << rule["id"];
    EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty()) << rule["id"];
  }
}

TEST(Cli, CodeClimateIsGitLabsCodeQualityReport) {
  const auto result = run({"validate", "--format", "codeclimate", "-c", "duplicate_targets.yaml"});
  EXPECT_EQ(result.code, 1);
  const auto issues = nlohmann::json::parse(result.out);
  ASSERT_EQ(issues.size(), 1u);
  auto issue = issues[0];
  EXPECT_EQ(issue["fingerprint"].get<std::string>().size(), 16u);
  issue.erase("fingerprint");
  EXPECT_EQ(issue.dump(),
            R"({"categories":["Bug Risk"],"check_name":"target-conflict","description":"services.web.secrets[1].target: )"
            R"(secret references 'a' and 'b' have a conflicting target: '/run/secrets/token'","location":{"lines":)"
            R"({"begin":8},"path":"duplicate_targets.yaml"},"severity":"major","type":"issue"})");
  const auto again = nlohmann::json::parse(run({"validate", "--format", "codeclimate", "-c", "duplicate_targets.yaml"}).out);
  EXPECT_EQ(again[0]["fingerprint"], issues[0]["fingerprint"]);
}

TEST(Cli, ConfigPrintsTheCanonicalModelWithoutSecretValues) {
  const auto result = run({"config"}, {}, (fs::path(STACKUP_EXAMPLES) / "wordpress").string());
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, ::testing::HasSubstr("      - source: db_password\n        target: db_password\n"));
  EXPECT_THAT(result.out, ::testing::HasSubstr("/examples/wordpress/secrets/db_password.txt"));
  EXPECT_THAT(result.out, ::testing::Not(::testing::HasSubstr("demo-wordpress-password")));
}

TEST(Cli, ConfigCanSkipInterpolation) {
  const auto directory = (fs::path(STACKUP_TESTDATA) / "valid").string();
  const auto result = run({"config", "--no-interpolate", "-c", "interpolation_defaults.yaml"}, {}, directory);
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, ::testing::HasSubstr("nginx:${NGINX_TAG:-1.27}"));
}

TEST(Cli, ColourOnlyOnATerminalAndNeverWithNoColor) {
  std::ostringstream out;
  std::ostringstream err;
  const auto directory = (fs::path(STACKUP_TESTDATA) / "invalid").string();
  cli::run({"validate", "-c", "duplicate_targets.yaml"}, {}, directory, {out, err, true, true});
  EXPECT_THAT(out.str(), ::testing::HasSubstr("\033[1;31merror:"));
  std::ostringstream plain;
  cli::run({"validate", "-c", "duplicate_targets.yaml"}, {"NO_COLOR=1"}, directory, {plain, err, true, true});
  EXPECT_THAT(plain.str(), ::testing::Not(::testing::HasSubstr("\033[")));
}

}  // namespace
}  // namespace stackup::testing

namespace stackup::testing {
namespace {

TEST(Cli, EachFileOptionTakesOneValueSoPositionalsStayPositional) {
  // `-c FILE STACK`: STACK must not be read as a second compose file.
  const auto result = run({"config", "-c", "duplicate_targets.yaml", "extra-positional"});
  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err + result.out, ::testing::Not(::testing::HasSubstr("cannot read compose file extra-positional")));
  const auto two = run({"validate", "-c", "duplicate_targets.yaml", "-f", "duplicate_key.yaml"});
  EXPECT_THAT(two.out, ::testing::HasSubstr("duplicate_targets.yaml, duplicate_key.yaml: invalid"));
}

}  // namespace
}  // namespace stackup::testing
