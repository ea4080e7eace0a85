// The value syntaxes a compose file uses, parsed once by the loader.
#include <gtest/gtest.h>

#include "compose/units.hpp"

namespace stackup::compose {
namespace {

using namespace std::chrono_literals;

TEST(Units, DurationsAreGoDurations) {
  EXPECT_EQ(parse_duration("1m30s"), 90s);
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("1.5h"), 90min);
  EXPECT_EQ(parse_duration("10us"), 10us);
  EXPECT_EQ(parse_duration("0"), 0ns);
  for (const auto* bad : {"1x", "10", "", "s", "-1s", "1m30", "1..5s", "1 s"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

TEST(Units, SizesAreBinaryMultiples) {
  EXPECT_EQ(parse_bytes("512m"), 512LL << 20);
  EXPECT_EQ(parse_bytes("1gb"), 1LL << 30);
  EXPECT_EQ(parse_bytes("2GiB"), 2LL << 30);
  EXPECT_EQ(parse_bytes("1.5k"), 1536);
  EXPECT_EQ(parse_bytes("4096"), 4096);
  EXPECT_EQ(parse_bytes("100b"), 100);
  for (const auto* bad : {"512 megs", "lots", "", "1x", "-1m", "1mm"}) EXPECT_FALSE(parse_bytes(bad)) << bad;
}

TEST(Units, CpusRestartPoliciesAndIds) {
  EXPECT_EQ(parse_nano_cpus("0.5"), 500'000'000);
  EXPECT_EQ(parse_nano_cpus("2"), 2'000'000'000);
  EXPECT_FALSE(parse_nano_cpus("lots"));
  EXPECT_FALSE(parse_nano_cpus("0"));
  EXPECT_EQ(parse_restart("on-failure:3")->maximum_retries, 3);
  EXPECT_EQ(parse_restart("unless-stopped")->name, "unless-stopped");
  EXPECT_FALSE(parse_restart("sometimes"));
  EXPECT_FALSE(parse_restart("on-failure:x"));
  EXPECT_EQ(parse_id("4294967294"), 4294967294u);
  EXPECT_FALSE(parse_id("4294967295"));
  EXPECT_FALSE(parse_id("4294968296"));
  EXPECT_FALSE(parse_id("-1"));
}

}  // namespace
}  // namespace stackup::compose
