// The `dashboard` command of a real migrations binary (child_fixture/), driven over its HTTP API
// with a SQLite store in a temporary folder: runs are child processes of the binary, so what a
// migration printf()s is captured as from the CLI, and a migration that calls abort() ends only
// its child: the server keeps answering and the next run takes the dead child's lease at once.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <auric/migrations.hpp>

#include "core/store.hpp"
#include "dashboard/local_backend.hpp"
#include "dashboard/router.hpp"
#include "store/open_store.hpp"

extern char** environ;

namespace auric::dashboard::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kPrint = "20250101000000_print-lines";
const std::string kAbort = "20250102000000_abort-on-demand";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls `done` every 50 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// `<fixture> --store sqlite:<dir>/store.db dashboard --port 0 --no-open`, run in `dir` (no
// config file there) with stdout and stderr in files, stopped by SIGTERM at the end.
class DashboardProcess {
 public:
  explicit DashboardProcess(const fs::path& dir) : dir_(dir) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::string(*e).rfind("AURIC_MIGRATE_", 0) != 0) env.emplace_back(*e);  // hermetic
    }
    env.push_back("DASHBOARD_FIXTURE_ABORT=" + abort_marker().string());
    std::vector<std::string> argv = {AURIC_DASHBOARD_CHILD_FIXTURE,
                                     "--store",
                                     "sqlite:" + (dir / "store.db").string(),
                                     "dashboard",
                                     "--port",
                                     "0",
                                     "--no-open"};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, (dir / "out.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, (dir / "err.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    std::vector<char*> args, envp;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) pid_ = -1;
    server_pid_ = pid_;
  }

  ~DashboardProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    if (!eventually([this] { return exited(); }, 20s)) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  pid_t server_pid() const { return server_pid_; }
  fs::path abort_marker() const { return dir_ / "abort"; }
  std::string out() const { return read_text(dir_ / "out.txt"); }
  std::string err() const { return read_text(dir_ / "err.txt"); }

  // True once the process has ended (reaped here).
  bool exited() {
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
    return pid_ <= 0;
  }

  // Waits for "> Dashboard ready: <url>" and reads the page token; false when it never came.
  bool wait_ready() {
    static const std::regex ready(R"(> Dashboard ready: http://127\.0\.0\.1:(\d+)/)");
    std::smatch m;
    const bool up = eventually(
        [&] {
          const std::string text = out();
          if (!std::regex_search(text, m, ready)) return exited();
          port_ = std::stoi(m[1].str());
          return true;
        },
        20s);
    if (!up || port_ == 0) return false;
    const auto page = client().Get("/");
    if (!page || page->status != 200) return false;
    static const std::regex meta(R"re(name="auric-token" content="([0-9a-f]+)")re");
    if (!std::regex_search(page->body, m, meta)) return false;
    token_ = m[1].str();
    return true;
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }

  // GET: the status and the parsed body (null when it is not JSON).
  std::pair<int, Json> get(const std::string& path) const {
    auto c = client();
    const auto r = c.Get(path);
    if (!r) return {-1, Json()};
    return {r->status, Json::parse(r->body, nullptr, false)};
  }

  // POST the way the page does: same Origin, the page token, JSON.
  std::pair<int, Json> post(const std::string& path, const Json& body) const {
    auto c = client();
    const httplib::Headers headers = {{"X-Auric-Token", token_},
                                      {"Origin", "http://127.0.0.1:" + std::to_string(port_)}};
    const auto r = c.Post(path, headers, body.dump(), "application/json");
    if (!r) return {-1, Json()};
    return {r->status, Json::parse(r->body, nullptr, false)};
  }

  // Waits until the execution is no longer running; its final status ("" on timeout).
  std::string wait_finished(const std::string& execution_id) const {
    std::string status;
    eventually(
        [&] {
          const auto [code, summary] = get("/api/executions/" + execution_id + "/summary");
          if (code != 200 || !summary.is_object()) return false;
          status = summary.value("status", "");
          return status != "running";
        },
        30s);
    return status == "running" ? "" : status;
  }

  // The runs of one migration, newest first.
  Json runs_of(const std::string& id) const { return get("/api/migrations/" + id).second; }

 private:
  fs::path dir_;
  pid_t pid_ = -1;  // -1 once reaped
  pid_t server_pid_ = -1;
  int port_ = 0;
  std::string token_;
};

class ChildRuns : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "auric-dashboard-child-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    dashboard_ = std::make_unique<DashboardProcess>(dir_);
    ASSERT_TRUE(dashboard_->wait_ready()) << "stdout:\n"
                                          << dashboard_->out() << "\nstderr:\n"
                                          << dashboard_->err();
  }
  void TearDown() override {
    dashboard_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // POST /api/migrate with `body`; the new execution id (empty, with a test failure, if refused).
  std::string migrate(const Json& body = Json::object()) {
    const auto [code, answer] = dashboard_->post("/api/migrate", body);
    EXPECT_EQ(code, 200) << answer.dump() << "\nstderr:\n" << dashboard_->err();
    if (code != 200 || !answer.is_object()) return "";
    return answer.value("executionId", "");
  }

  fs::path dir_;
  std::unique_ptr<DashboardProcess> dashboard_;
};

TEST_F(ChildRuns, WhatAMigrationPrintsIsCapturedAsStdoutAndStderr) {
  const std::string execution = migrate({{"target", kPrint}});
  ASSERT_FALSE(execution.empty());
  EXPECT_EQ(dashboard_->wait_finished(execution), "completed");

  const Json runs = dashboard_->runs_of(kPrint);
  ASSERT_TRUE(runs.is_array() && runs.size() == 1u) << runs.dump();
  const Json& run = runs[0];
  EXPECT_EQ(run["status"], "completed");
  EXPECT_EQ(run["executionId"], execution);
  const std::string output = run["output"].get<std::string>();
  EXPECT_NE(output.find("[stdout] printed line one\n"), std::string::npos) << output;
  EXPECT_NE(output.find("[stdout] printed line two\n"), std::string::npos) << output;
  EXPECT_NE(output.find("[stderr] complained on stderr\n"), std::string::npos) << output;
  EXPECT_LT(output.find("printed line one"), output.find("printed line two")) << output;
  // The run was the child's, not the server's.
  EXPECT_NE(run["who"]["pid"], Json(dashboard_->server_pid())) << run.dump();

  // The child's terminal output (progress lines and the echo) reaches the dashboard's stderr;
  // the result JSON does not leak into either stream.
  const std::string err = dashboard_->err();
  EXPECT_NE(err.find("printed line one"), std::string::npos) << err;
  EXPECT_NE(err.find(kPrint), std::string::npos) << err;
  EXPECT_EQ(dashboard_->out().find("\"executionId\""), std::string::npos) << dashboard_->out();
}

TEST_F(ChildRuns, AMigrationThatAbortsLeavesTheServerAnsweringAndTheNextRunRecoversAtOnce) {
  const std::string first = migrate({{"target", kPrint}});
  ASSERT_FALSE(first.empty());
  ASSERT_EQ(dashboard_->wait_finished(first), "completed");
  std::ofstream(dashboard_->abort_marker()) << "abort\n";

  const std::string crashed = migrate();
  ASSERT_FALSE(crashed.empty());
  // While it runs, the live output follows the run through the store (saved every 2 s).
  std::string live;
  EXPECT_TRUE(eventually(
      [&] {
        const auto [code, lock] = dashboard_->get("/api/lock");
        if (code != 200 || !lock.is_object() || !lock.contains("current")) return false;
        live = lock["current"].value("output", "");
        return live.find("about to abort") != std::string::npos;
      },
      10s))
      << live;

  // The child dies of SIGABRT; the server notes it and goes on.
  ASSERT_TRUE(eventually([&] { return dashboard_->err().find("SIGABRT") != std::string::npos; }, 20s))
      << dashboard_->err();
  EXPECT_FALSE(dashboard_->exited());
  const auto [summary_code, summary] = dashboard_->get("/api/migrations/summary");
  EXPECT_EQ(summary_code, 200) << summary.dump();
  EXPECT_EQ(summary.value("completed", -1), 1) << summary.dump();

  // The next run starts at once: the dead child's lease (30 s) is taken over on this host.
  fs::remove(dashboard_->abort_marker());
  const auto started = std::chrono::steady_clock::now();
  const std::string next = migrate();
  ASSERT_FALSE(next.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(dashboard_->wait_finished(next), "completed");

  const Json runs = dashboard_->runs_of(kAbort);
  ASSERT_TRUE(runs.is_array() && runs.size() == 2u) << runs.dump();
  EXPECT_EQ(runs[0]["status"], "completed");
  EXPECT_NE(runs[0]["output"].get<std::string>().find("[stdout] ran without aborting"), std::string::npos);
  EXPECT_EQ(runs[1]["status"], "interrupted") << runs[1].dump();
  EXPECT_EQ(runs[1]["executionId"], crashed);
  EXPECT_NE(runs[1]["output"].get<std::string>().find("[stdout] about to abort"), std::string::npos)
      << "the output saved before the crash is kept: " << runs[1].dump();
  EXPECT_FALSE(dashboard_->wait_finished(crashed).empty()) << "the crashed execution is closed";
}

// A child refused by the safety policy exits 4 before it records anything: the dashboard
// reports a refusal (409 with its message), not a crash, and says nothing about an odd exit.
TEST(ChildRefusal, ADriftRefusalOfTheChildIsA409NotACrash) {
  std::string templ = (fs::temp_directory_path() / "auric-dashboard-refusal-XXXXXX").string();
  ASSERT_NE(::mkdtemp(templ.data()), nullptr);
  const fs::path dir = templ;
  const std::string url = "sqlite:" + (dir / "store.db").string();
  {
    const std::unique_ptr<Store> store = open_store(url);
    store->init();
    std::vector<std::string> notes;
    ChildRunOptions child;
    child.executable = AURIC_DASHBOARD_CHILD_FIXTURE;
    child.argv0 = "dashboard-child-fixture";
    child.global_args = {"--store", url};
    child.on_note = [&](const std::string& note) { notes.push_back(note); };
    // No migrations of its own: the dashboard cannot see the drift, only the child can.
    LocalBackend backend({}, *store, child);

    const StartOutcome first = backend.start_run(RunParams{Direction::kUp, kPrint, std::nullopt});
    ASSERT_EQ(first.kind, StartOutcome::Kind::kStarted) << first.error;
    ASSERT_TRUE(backend.wait_idle(30s));
    MigrationState state = store->get_state(kPrint).value();
    ASSERT_TRUE(state.applied);
    state.checksum = "an older source";
    ASSERT_EQ(store->put_state(state), WriteOutcome::kOk);
    const std::size_t executions = store->list_executions(50, "").items.size();

    const StartOutcome refused = backend.start_run(RunParams{Direction::kUp, std::nullopt, std::nullopt});
    EXPECT_EQ(refused.kind, StartOutcome::Kind::kRefused) << refused.error;
    EXPECT_NE(refused.error.find(kPrint), std::string::npos) << refused.error;
    EXPECT_NE(refused.error.find("--accept-checksum"), std::string::npos) << refused.error;
    ASSERT_TRUE(refused.refusal.has_value());
    EXPECT_EQ(refused.refusal->message, refused.error);
    EXPECT_EQ(refused.refusal->code, "drift") << "from the child's --json refusal";
    EXPECT_EQ(refused.refusal->ids, std::vector<std::string>{kPrint});
    ASSERT_TRUE(backend.wait_idle(30s));

    Request post;
    post.method = "POST";
    post.path = "/api/migrate";
    post.body = "{}";
    const Response r = handle(post, backend);
    EXPECT_EQ(r.status, 409) << r.body;
    const Json body = Json::parse(r.body);
    EXPECT_NE(body.value("error", "").find(kPrint), std::string::npos) << r.body;
    EXPECT_TRUE(body.contains("refusal")) << r.body;
    ASSERT_TRUE(backend.wait_idle(30s));

    EXPECT_EQ(store->list_executions(50, "").items.size(), executions) << "a refused run records nothing";
    EXPECT_TRUE(notes.empty()) << "exit 4 is no crash: " << (notes.empty() ? "" : notes.front());
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace auric::dashboard::testing
