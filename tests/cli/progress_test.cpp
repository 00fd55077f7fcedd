// Live progress in the CLI: the pure bar/line formatter and rate meter (app/progress_bar.hpp),
// the display mode, and through the real binary: the plain line on a pipe, the bar on a
// pseudo-terminal (drawn, kept off the migration's own lines, erased before the summary), and
// `status` / `migration` showing a run's stored progress from another process.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/progress.hpp"
#include "app/progress_bar.hpp"
#include "process.hpp"

namespace auric::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ProgressSnapshot snap(std::int64_t done, std::optional<std::int64_t> total, std::int64_t updated_at = 0) {
  return ProgressSnapshot{
      .done = done, .total = total, .unit = "items", .updated_at = updated_at, .version = 1};
}

// ---- formatter ----------------------------------------------------------------------------
TEST(ProgressFormat, GroupsThousands) {
  EXPECT_EQ(app::group_thousands(0), "0");
  EXPECT_EQ(app::group_thousands(999), "999");
  EXPECT_EQ(app::group_thousands(1000), "1,000");
  EXPECT_EQ(app::group_thousands(5210), "5,210");
  EXPECT_EQ(app::group_thousands(1234567), "1,234,567");
  EXPECT_EQ(app::group_thousands(-1200), "-1,200");
}

TEST(ProgressFormat, PercentRoundsDownAndNeedsATotal) {
  EXPECT_EQ(app::percent_done(snap(5210, 10000)), 52);
  EXPECT_EQ(app::percent_done(snap(9999, 10000)), 99);
  EXPECT_EQ(app::percent_done(snap(10000, 10000)), 100);
  EXPECT_EQ(app::percent_done(snap(12, 10)), 100);
  EXPECT_EQ(app::percent_done(snap(0, 0)), 100);
  EXPECT_EQ(app::percent_done(snap(5, std::nullopt)), std::nullopt);
}

TEST(ProgressFormat, EtaOnlyWithATotalAndARate) {
  EXPECT_EQ(app::eta_ms(snap(5210, 10000), 1234.0), 3882);  // 4790 / 1234 s, rounded up
  EXPECT_EQ(app::eta_ms(snap(5210, std::nullopt), 1234.0), std::nullopt);
  EXPECT_EQ(app::eta_ms(snap(5210, 10000), 0.0), std::nullopt);
  EXPECT_EQ(app::eta_ms(snap(5210, 10000), std::nullopt), std::nullopt);
  EXPECT_EQ(app::eta_ms(snap(10000, 10000), 5.0), std::nullopt);
  EXPECT_EQ(app::format_eta(3882), "4s");
  EXPECT_EQ(app::format_eta(1), "1s");
  EXPECT_EQ(app::format_eta(59'000), "59s");
  EXPECT_EQ(app::format_eta(61'000), "1m 1s");
  EXPECT_EQ(app::format_eta(3'720'000), "1h 2m");
}

TEST(ProgressFormat, Rates) {
  EXPECT_EQ(app::format_rate(1234.4, true), "1,234");
  EXPECT_EQ(app::format_rate(1234.4, false), "1234");
  EXPECT_EQ(app::format_rate(2.54, true), "2.5");
  EXPECT_EQ(app::format_rate(-3, true), "0.0");
}

TEST(ProgressFormat, BarLineWithATotal) {
  const app::ProgressView v{"step-7", snap(5210, 10000), 1234.0};
  const std::string line = app::format_bar_line(v, 120);
  EXPECT_THAT(line, ::testing::StartsWith("  step-7  [##########"));
  EXPECT_THAT(line, ::testing::EndsWith("]   52%  5,210/10,000 items  1,234 items/s  ETA 4s"));
  EXPECT_EQ(line.size(), std::string("  step-7  [").size() + 30 +
                             std::string("]   52%  5,210/10,000 items  1,234 items/s  ETA 4s").size())
      << "a wide terminal gets the widest bar (30 cells), no padding";
  const std::size_t open = line.find('['), close = line.find(']');
  const std::string cells = line.substr(open + 1, close - open - 1);
  EXPECT_EQ(cells.size(), 30u);                                // at most 30 cells
  EXPECT_EQ(std::count(cells.begin(), cells.end(), '#'), 15);  // 52% of 30, rounded down
}

TEST(ProgressFormat, BarLineNeverWraps) {
  const app::ProgressView v{"20250101000000_a-rather-long-migration-name", snap(5210, 10000), 1234.0};
  for (int columns : {20, 40, 60, 80, 100, 200}) {
    const std::string line = app::format_bar_line(v, columns);
    EXPECT_LE(line.size(), static_cast<std::size_t>(columns - 1)) << columns;
  }
  // Too narrow for a bar of 10 cells: the numbers stay, cut at the width.
  EXPECT_THAT(app::format_bar_line(v, 80), Not(HasSubstr("[")));
  EXPECT_THAT(app::format_bar_line(v, 200), HasSubstr("["));
}

TEST(ProgressFormat, BarLineWithoutATotalShowsACountAndRate) {
  EXPECT_EQ(app::format_bar_line({"step-7", snap(5210, std::nullopt), 1234.0}, 120),
            "  step-7  5,210 items  1,234 items/s");
  EXPECT_EQ(app::format_bar_line({"step-7", snap(5210, std::nullopt), std::nullopt}, 120),
            "  step-7  5,210 items");
}

TEST(ProgressFormat, PlainLine) {
  EXPECT_EQ(app::format_plain_line({"step-7", snap(5210, 10000), 1234.0}),
            "[migrations] Progress step-7: 5210/10000 items (52%), 1234 items/s, ETA 4s");
  EXPECT_EQ(app::format_plain_line({"step-7", snap(5210, std::nullopt), 1234.0}),
            "[migrations] Progress step-7: 5210 items, 1234 items/s");
  EXPECT_EQ(app::format_plain_line({"step-7", snap(5210, 10000), std::nullopt}),
            "[migrations] Progress step-7: 5210/10000 items (52%)");
  ProgressSnapshot rows = snap(3, 4);
  rows.unit = "rows";
  EXPECT_EQ(app::format_plain_line({"m", rows, 0.0}), "[migrations] Progress m: 3/4 rows (75%), 0.0 rows/s");
}

TEST(ProgressFormat, StatusSummary) {
  EXPECT_EQ(app::format_progress_summary(snap(5210, 10000, 1'000'000), 1'003'400),
            "52% (5,210/10,000 items), updated 3s ago");
  EXPECT_EQ(app::format_progress_summary(snap(5210, std::nullopt, 1'000'000), 1'000'000),
            "5,210 items, updated 0s ago");
  EXPECT_EQ(app::format_progress_summary(snap(1, 2, 0), 125'000), "50% (1/2 items), updated 2m ago");
}

// ---- rate -----------------------------------------------------------------------------------
TEST(RateMeter, MeasuresOverItsWindowAndFallsWhenStalled) {
  app::RateMeter meter(5000);
  meter.add(0, 0);
  EXPECT_EQ(meter.per_second(), std::nullopt);
  meter.add(400, 40);
  EXPECT_EQ(meter.per_second(), std::nullopt) << "under 500 ms is too short to tell";
  meter.add(1000, 100);
  EXPECT_DOUBLE_EQ(*meter.per_second(), 100.0);
  for (std::int64_t t = 2000; t <= 6000; t += 1000) meter.add(t, 100 + (t - 1000) / 10 * 3);  // 300/s
  EXPECT_NEAR(*meter.per_second(), 300.0, 40.0) << "the older, slower second has left the window";
  const std::int64_t stalled = 100 + 500 * 3;
  for (std::int64_t t = 7000; t <= 13000; t += 1000) meter.add(t, stalled);
  EXPECT_DOUBLE_EQ(*meter.per_second(), 0.0);
}

TEST(RateMeter, StartsOverWhenTheCountGoesBack) {
  app::RateMeter meter;
  meter.add(0, 0);
  meter.add(1000, 1000);
  meter.add(2000, 10);
  EXPECT_EQ(meter.per_second(), std::nullopt);
  meter.add(3000, 20);
  EXPECT_DOUBLE_EQ(*meter.per_second(), 10.0);
}

// ---- mode -----------------------------------------------------------------------------------
TEST(ProgressMode, FollowsTheTerminalAndTerm) {
  const app::EnvLookup xterm = [](const std::string& n) -> std::optional<std::string> {
    if (n == "TERM") return "xterm";
    return std::nullopt;
  };
  const app::EnvLookup dumb = [](const std::string& n) -> std::optional<std::string> {
    if (n == "TERM") return "dumb";
    if (n == "AURIC_MIGRATE_PROGRESS_INTERVAL_MS") return "250";
    return std::nullopt;
  };
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  EXPECT_EQ(app::progress_mode(false, pipe_fds[1], xterm), app::ProgressMode::kPlain);
  EXPECT_EQ(app::progress_mode(true, pipe_fds[1], xterm), app::ProgressMode::kOff);
  int master = -1, slave = -1;
  ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  EXPECT_EQ(app::progress_mode(false, slave, xterm), app::ProgressMode::kBar);
  EXPECT_EQ(app::progress_mode(false, slave, dumb), app::ProgressMode::kPlain);
  EXPECT_EQ(app::progress_mode(true, slave, xterm), app::ProgressMode::kOff);
  for (int fd : {pipe_fds[0], pipe_fds[1], master, slave}) ::close(fd);
  EXPECT_EQ(app::plain_progress_interval(xterm), std::chrono::seconds(10));
  EXPECT_EQ(app::plain_progress_interval(dumb), std::chrono::milliseconds(250));
}

// ---- through the binary -------------------------------------------------------------------
constexpr const char* kId = "20250101000000_count-items";

class ProgressCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    write_file(dir_ + "/migrate.config.toml", "store = \"sqlite:" + dir_ + "/state.db\"\n");
    env_ = {{"NO_COLOR", "1"}, {"PROGRESS_TOTAL", "40"}, {"PROGRESS_STEP_MS", "25"}};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ProcessResult cli(const std::vector<std::string>& args, std::map<std::string, std::string> extra = {}) {
    std::vector<std::string> argv = {AURIC_PROGRESS_FIXTURE};
    argv.insert(argv.end(), args.begin(), args.end());
    std::map<std::string, std::string> env = env_;
    for (auto& [k, v] : extra) env[k] = v;
    return run({argv, env, dir_, ""});
  }

  // The stored output of the migration's latest run.
  std::string stored_output() {
    const ProcessResult r = cli({"--json", "migration", kId});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out)["runs"][0].value("output", "");
  }

  std::string dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(ProgressCli, PlainLinesOnAPipe) {
  const ProcessResult r = cli({"up"}, {{"AURIC_MIGRATE_PROGRESS_INTERVAL_MS", "100"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::regex line(std::string(R"((^|\n)\[migrations\] Progress )") + kId +
                        R"(: \d+/40 items \(\d+%\)(, [0-9.]+ items/s(, ETA \d+s)?)?\n)");
  EXPECT_TRUE(std::regex_search(r.err, line)) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("\x1b["))) << "no cursor control on a pipe";
  // Progress lines go to the terminal's stderr, not into the run's recorded output.
  const std::string output = stored_output();
  EXPECT_THAT(output, HasSubstr("counted 40 items"));
  EXPECT_THAT(output, Not(HasSubstr("Progress")));
}

TEST_F(ProgressCli, NoProgressAndJsonStayQuiet) {
  const ProcessResult r =
      cli({"--json", "up", "--no-progress"}, {{"AURIC_MIGRATE_PROGRESS_INTERVAL_MS", "50"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("[migrations] Progress")));
  EXPECT_THAT(r.err, HasSubstr("[migrations] Completed up: "));
  EXPECT_EQ(nlohmann::json::parse(r.out)["status"], "completed");
  // --json with progress: the lines go to stderr and stdout stays one JSON document.
  const ProcessResult down = cli({"--json", "down"}, {{"AURIC_MIGRATE_PROGRESS_INTERVAL_MS", "50"}});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(nlohmann::json::parse(down.out)["status"], "completed");
}

// Runs the fixture under a pseudo-terminal (80 columns) and returns everything it wrote.
std::string run_on_pty(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                       const std::string& cwd, int& exit_code) {
  struct winsize ws {};
  ws.ws_col = 100;
  ws.ws_row = 30;
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
  if (pid < 0) return "forkpty failed";
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  std::string out;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    pollfd pfd{master, POLLIN, 0};
    if (::poll(&pfd, 1, 1000) < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      break;
    }
    if ((pfd.revents & (POLLIN | POLLHUP)) == 0) continue;
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child and its terminal are gone
    out.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ::close(master);
  return out;
}

TEST_F(ProgressCli, BarOnATerminalIsDrawnAndErasedBeforeTheSummary) {
  std::map<std::string, std::string> env = env_;
  env["TERM"] = "xterm";
  env.erase("NO_COLOR");
  int code = -1;
  const std::string out = run_on_pty({AURIC_PROGRESS_FIXTURE, "up"}, env, dir_, code);
  ASSERT_EQ(code, 0) << out;
  const std::string draw = std::string("\r  ") + kId + "  [";
  const std::size_t first = out.find(draw);
  ASSERT_NE(first, std::string::npos) << out;
  const std::size_t last = out.rfind(draw);
  const std::string drawn = out.substr(last, out.find("\x1b[K", last) - last);
  EXPECT_THAT(drawn, HasSubstr("%"));
  EXPECT_THAT(drawn, HasSubstr("/40 items"));
  EXPECT_THAT(out, Not(HasSubstr("[migrations] Progress"))) << "a terminal gets the bar, not lines";
  // Erased (\r ESC[K) after its last drawing and before the completion line and the summary.
  const std::size_t completed = out.find("[migrations] Completed up: ");
  const std::size_t summary = out.find("Status: ");
  ASSERT_NE(completed, std::string::npos) << out;
  ASSERT_NE(summary, std::string::npos) << out;
  EXPECT_LT(last, completed);
  EXPECT_NE(out.substr(last, completed - last).find("\x1b[K\r\x1b[K"), std::string::npos)
      << "the bar is drawn (ending in ESC[K) and then erased before the next line";
  EXPECT_THAT(out.substr(completed), Not(HasSubstr(draw)));
  // The migration's own echoed lines start on a line of their own, never after bar text: what
  // a terminal shows of the line is what follows its last carriage return, and that erases
  // (ESC[K) whatever a bar left on the row before the text starts at column 0.
  std::istringstream lines(out);
  int counted = 0;
  for (std::string l; std::getline(lines, l);) {
    const std::size_t at = l.find("[info] counted");
    if (at == std::string::npos) continue;
    ++counted;
    std::string before = l.substr(0, l.find("] [info]"));
    const std::size_t cr = before.rfind('\r');
    if (cr != std::string::npos) {
      before.erase(0, cr + 1);
      EXPECT_TRUE(before.starts_with("\x1b[K")) << "the row is cleared before the echoed text: " << l;
      while (before.starts_with("\x1b[K")) before.erase(0, 3);
    }
    EXPECT_TRUE(before.starts_with("[20")) << "bar text before an echoed line: " << l;
  }
  EXPECT_EQ(counted, 4) << out;
  EXPECT_THAT(stored_output(), Not(HasSubstr("items/s")));
}

TEST_F(ProgressCli, StatusInAnotherProcessShowsTheRunningProgress) {
  const std::string gate = dir_ + "/gate";
  std::map<std::string, std::string> env = env_;
  env["PROGRESS_GATE"] = gate;
  env["PROGRESS_STEP_MS"] = "5";
  const int pid = spawn({{AURIC_PROGRESS_FIXTURE, "up"}, env, dir_, ""}, dir_ + "/up.out", dir_ + "/up.err");
  // Waits at half way (20 of 40) until the gate exists; its progress is saved within ~2 s.
  nlohmann::json running;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    const ProcessResult st = cli({"--json", "status"});
    if (st.exit_code == 0) {
      const auto j = nlohmann::json::parse(st.out, nullptr, false);
      if (j.is_object() && j.contains("running") && j["running"]["progress"].is_object() &&
          j["running"]["progress"]["done"] == 20) {
        running = j["running"];
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(running.is_object()) << "no running progress seen; up's stderr:\n"
                                   << read_file(dir_ + "/up.err");
  EXPECT_EQ(running["id"], kId);
  EXPECT_EQ(running["direction"], "up");
  EXPECT_EQ(running["progress"]["total"], 40);
  EXPECT_EQ(running["progress"]["unit"], "items");
  EXPECT_TRUE(running["progress"]["updatedAt"].is_number_integer());

  const ProcessResult human = cli({"status"});
  EXPECT_EQ(human.exit_code, 0) << human.err;
  EXPECT_THAT(human.out, HasSubstr("Running (1):"));
  EXPECT_THAT(human.out, HasSubstr(std::string(kId) + " (up, started "));
  EXPECT_THAT(human.out, HasSubstr("50% (20/40 items), updated "));
  const ProcessResult detail = cli({"migration", kId});
  EXPECT_EQ(detail.exit_code, 0) << detail.err;
  EXPECT_THAT(detail.out, HasSubstr("Progress: 50% (20/40 items), updated "));
  const ProcessResult detail_json = cli({"--json", "migration", kId});
  EXPECT_EQ(nlohmann::json::parse(detail_json.out)["runs"][0]["progress"]["done"], 20);

  write_file(gate, "go");
  const ProcessResult up = wait_for(pid);
  ASSERT_EQ(up.exit_code, 0) << read_file(dir_ + "/up.err");
  // Finished: no running entry; the run keeps its last progress.
  const ProcessResult after = cli({"--json", "status"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_FALSE(nlohmann::json::parse(after.out).contains("running")) << after.out;
  EXPECT_THAT(cli({"status"}).out, Not(HasSubstr("Running (")));
  EXPECT_THAT(cli({"migration", kId}).out, Not(HasSubstr("Progress: ")));
  EXPECT_EQ(nlohmann::json::parse(cli({"--json", "migration", kId}).out)["runs"][0]["progress"]["done"], 40);
}

}  // namespace
}  // namespace auric::test
