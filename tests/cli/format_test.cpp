#include "cli/format.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace auric::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Format, Relative) {
  const std::int64_t now = 1'000'000'000'000;
  EXPECT_EQ(format_relative(now - 30'000, now), "30s ago");
  EXPECT_EQ(format_relative(now - 5 * 60'000, now), "5m ago");
  EXPECT_EQ(format_relative(now - 3 * 3'600'000, now), "3h ago");
  EXPECT_EQ(format_relative(now - 5 * 86'400'000LL, now), "5d ago");
  EXPECT_EQ(format_relative(now - 95 * 86'400'000LL, now), "3mo ago");
  EXPECT_EQ(format_relative(now - 800 * 86'400'000LL, now), "2y ago");
  EXPECT_EQ(format_relative(now + 5000, now), "just now");
}

TEST(Format, AppliedAtIsUtcToTheMinuteAndRelative) {
  const std::int64_t when = 1'796'306'520'000;  // 2026-12-03 14:02:00 UTC
  EXPECT_EQ(format_applied_at(when + 59'000, when + 3 * 86'400'000LL), "2026-12-03 14:02 UTC (2d ago)");
  EXPECT_EQ(format_applied_at(when, when + 3 * 86'400'000LL), "2026-12-03 14:02 UTC (3d ago)");
}

TEST(Format, Duration) {
  EXPECT_EQ(format_duration(std::nullopt), "-");
  EXPECT_EQ(format_duration(450), "450ms");
  EXPECT_EQ(format_duration(2500), "2.50s");
  EXPECT_EQ(format_duration(45'000), "45.0s");
  EXPECT_EQ(format_duration(125'000), "2m 5s");
  // The reference could print `60.0s` and `1m 60s`; these never appear.
  EXPECT_EQ(format_duration(59'960), "1m 0s");
  EXPECT_EQ(format_duration(119'700), "2m 0s");
}

TEST(Format, TimestampPadIndent) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01 00:00:00Z");
  EXPECT_EQ(pad("ab", 4), "ab  ");
  EXPECT_EQ(pad("abcdef", 4), "abcdef");
  EXPECT_EQ(pad("\u2713x", 3), "\u2713x ");  // counts code points, not bytes
  EXPECT_EQ(indent("a\n\nb", "  "), "  a\n\n  b");
}

TEST(Format, RunDetailPlaceholder) {
  EXPECT_EQ(render_run_detail(RunRecord{}), "  (no description, result, or captured output)\n");
}

TEST(Format, RunDetailSectionsInOrder) {
  RunRecord r;
  r.description = "  Adds things.  ";
  r.error = "boom";
  r.result = {{"rowsAffected", 42}};
  r.output = "[t] [info] line\n\n";
  const std::string text = render_run_detail(r);
  EXPECT_THAT(text, HasSubstr("  Description:\n    Adds things.\n"));
  EXPECT_THAT(text, HasSubstr("  Error:\n    boom\n"));
  EXPECT_THAT(text, HasSubstr("\"rowsAffected\": 42"));
  EXPECT_THAT(text, HasSubstr("  Output:\n    [t] [info] line\n"));
  EXPECT_LT(text.find("Description"), text.find("Error"));
  EXPECT_LT(text.find("Error"), text.find("Result"));
  EXPECT_LT(text.find("Result"), text.find("Output"));
  EXPECT_THAT(text, Not(HasSubstr("oldest lines were dropped")));
}

TEST(Format, RunDetailTruncationBannerAndEmptyResult) {
  RunRecord r;
  r.result = Json::object();
  r.output = "x\n";
  r.output_truncated = true;
  const std::string text = render_run_detail(r);
  EXPECT_THAT(text, Not(HasSubstr("Result")));
  EXPECT_THAT(text, HasSubstr("    [output exceeded the storage cap; oldest lines were dropped]\n\n    x"));
}

TEST(Format, StyleHonoursNoColor) {
  Style plain;
  EXPECT_EQ(plain.green("ok"), "ok");
  Style colour{true};
  EXPECT_EQ(colour.red("x"), "\033[31mx\033[0m");
  setenv("NO_COLOR", "1", 1);
  EXPECT_FALSE(Style::detect(1).color);
  unsetenv("NO_COLOR");
}

}  // namespace
}  // namespace auric::cli
