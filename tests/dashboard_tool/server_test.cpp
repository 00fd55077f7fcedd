// End to end in process: dynalite holds a migrations table with history, a fake Lambda
// records invocations, and run_tool() serves the dashboard. /api/migrations reads the table,
// /api/status and the POST routes invoke the function with the chosen identity, and the
// local server's Host and token protections still hold.
#include <gtest/gtest.h>

#include <httplib.h>

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <thread>

#include "aws/environment.hpp"
#include "core/store.hpp"
#include "dashboard_tool/tool.hpp"
#include "dynalite_server.hpp"
#include "service_fakes.hpp"
#include "store/dynamodb_store.hpp"
#include "test_support.hpp"
#include "tool_fixture.hpp"

namespace auric::dashboard_tool {
namespace {

using Json = nlohmann::json;

constexpr const char* kTable = "prod-MigrationsTable-ABC";
constexpr const char* kFunction = "prod-MigrationFn-XYZ";

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lambda_.set_functions({"unrelated", kFunction, "other"}, 2);
    lambda_.set_status_answer(
        {{"pending", {"003_gamma"}}, {"completed", {"001_alpha", "002_beta"}}, {"failed", Json::array()}});
    seed_history();
    home_.write(".aws/credentials", "[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = s\n");
    home_.write(".aws/config", "[profile ops]\nregion = eu-west-1\n");
    env_ = home_.env();
    env_->set("AWS_ENDPOINT_URL_STS", sts_.endpoint());
    env_->set("AWS_ENDPOINT_URL_LAMBDA", lambda_.endpoint());
    env_->set("AWS_ENDPOINT_URL_DYNAMODB", dynalite_.endpoint());

    ToolHooks hooks;
    hooks.env = env_;
    hooks.out = &out_;
    hooks.stop = &stop_;
    auto ready = std::make_shared<std::promise<ReadyInfo>>();
    hooks.on_ready = [ready](const ReadyInfo& info) { ready->set_value(info); };
    ToolOptions options;
    options.profile = "ops";
    options.port = 0;
    options.no_open = true;
    options.non_interactive = true;
    started_ = std::chrono::steady_clock::now();
    tool_ = std::async(std::launch::async, [options, hooks] { return run_tool(options, hooks); });
    auto fut = ready->get_future();
    ASSERT_EQ(fut.wait_for(std::chrono::seconds(30)), std::future_status::ready) << out_.str();
    ready_ = fut.get();
    ready_after_ = std::chrono::steady_clock::now() - started_;
    const auto colon = ready_.url.rfind(':');
    port_ = std::stoi(ready_.url.substr(colon + 1));
  }

  void TearDown() override {
    stop_ = true;
    if (tool_.valid()) {
      EXPECT_EQ(tool_.get(), 0);
    }
  }

  virtual void seed_history() {
    auto store = open_dynamodb_store(kTable, dynalite_.client_config());
    store->init();
    const std::int64_t t0 = 1'700'000'000'000;
    for (const char* id : {"001_alpha", "002_beta"}) {
      MigrationState s;
      s.id = id;
      s.status = RunStatus::kCompleted;
      s.applied = true;
      s.started_at = t0;
      s.completed_at = t0 + 20;
      s.duration_ms = 20;
      s.applied_at = t0 + 20;
      s.last_run_id = std::string("run-") + id;
      s.last_execution_id = "exec-1";
      ASSERT_EQ(store->put_state(s), WriteOutcome::kOk);
      RunRecord r;
      r.run_id = s.last_run_id;
      r.id = id;
      r.name = id;
      r.status = RunStatus::kCompleted;
      r.execution_id = "exec-1";
      r.started_at = t0;
      r.completed_at = t0 + 20;
      r.duration_ms = 20;
      ASSERT_EQ(store->put_run(r), WriteOutcome::kOk);
    }
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    c.set_read_timeout(10);
    return c;
  }

  std::string token() {
    auto c = client();
    auto r = c.Get("/");
    if (!r) return {};
    const std::string marker = "<meta name=\"auric-token\" content=\"";
    const auto at = r->body.find(marker);
    if (at == std::string::npos) return {};
    return r->body.substr(at + marker.size(), 64);
  }

  aws::testing::DynaliteServer dynalite_;
  aws::testing::FakeSts sts_;
  testing::FakeLambda lambda_;
  aws::testing::TempHome home_;
  std::shared_ptr<aws::MapEnvironment> env_;
  std::ostringstream out_;
  std::atomic<bool> stop_{false};
  std::future<int> tool_;
  ReadyInfo ready_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::duration ready_after_{};
  int port_ = 0;
};

TEST_F(ServerTest, DiscoversAndPrintsTheReferenceLines) {
  EXPECT_EQ(ready_.function_name, kFunction);
  EXPECT_EQ(ready_.table_name, kTable);
  EXPECT_EQ(ready_.region, "eu-west-1");
  EXPECT_EQ(ready_.url.rfind("http://127.0.0.1:", 0), 0u) << ready_.url;
  const std::string out = out_.str();
  for (const std::string& line : std::vector<std::string>{
           "> Using AWS profile: ops (eu-west-1)", "> Discovering deployed migrations resources...",
           std::string("> Lambda: ") + kFunction, std::string("> Table:  ") + kTable,
           "> Dashboard ready: "}) {
    EXPECT_NE(out.find(line), std::string::npos) << line << "\n" << out;
  }
  EXPECT_EQ(lambda_.list_calls(), 2u);
  EXPECT_TRUE(lambda_.invocations().empty()) << "nothing is invoked before the first request";
  std::printf("[ bench    ] start to Dashboard ready: %.1f ms; STS calls %zu, ListFunctions pages %zu\n",
              std::chrono::duration<double, std::milli>(ready_after_).count(), sts_.calls().size(),
              lambda_.list_calls());
}

TEST_F(ServerTest, MigrationsComeFromTheTableAndStatusFromTheFunction) {
  auto c = client();
  auto m = c.Get("/api/migrations");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->status, 200) << m->body;
  const Json rows = Json::parse(m->body);
  ASSERT_TRUE(rows.is_array()) << m->body;
  std::map<std::string, Json> by_id;
  for (const auto& r : rows) by_id[r["id"].get<std::string>()] = r;
  ASSERT_TRUE(by_id.count("001_alpha")) << m->body;
  EXPECT_EQ(by_id["001_alpha"]["status"], "completed");
  EXPECT_EQ(by_id["002_beta"]["executionId"], "exec-1");
  ASSERT_TRUE(by_id.count("003_gamma")) << "known from the function's status answer: " << m->body;
  EXPECT_EQ(by_id["003_gamma"]["status"], "pending");
  EXPECT_FALSE(by_id["001_alpha"].contains("missing")) << m->body;

  auto s = c.Get("/api/status");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->status, 200) << s->body;
  EXPECT_EQ(Json::parse(s->body)["pending"], Json({"003_gamma"}));
  const auto inv = lambda_.invocations();
  ASSERT_FALSE(inv.empty());
  for (const auto& i : inv) {
    EXPECT_EQ(i.function, kFunction);
    EXPECT_EQ(i.type, "RequestResponse");
    EXPECT_EQ(i.payload, Json({{"action", "status"}}));
    EXPECT_NE(i.authorization.find("Credential=AKIDOPS/"), std::string::npos) << "the chosen identity";
  }
}

TEST_F(ServerTest, RollbackSendsExactlyOneAsyncInvoke) {
  const std::string t = token();
  ASSERT_EQ(t.size(), 64u);
  auto c = client();
  const std::string origin = "http://127.0.0.1:" + std::to_string(port_);
  auto r = c.Post("/api/rollback", httplib::Headers{{"X-Auric-Token", t}, {"Origin", origin}},
                  R"({"target":"001_alpha"})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const Json body = Json::parse(r->body);
  EXPECT_EQ(body["message"], "Rollback initiated");
  std::vector<testing::FakeLambda::Invocation> events;
  for (const auto& i : lambda_.invocations())
    if (i.type == "Event") events.push_back(i);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].function, kFunction);
  EXPECT_EQ(events[0].payload["direction"], "down");
  EXPECT_EQ(events[0].payload["target"], "001_alpha");
  EXPECT_EQ(events[0].payload["executionId"], body["executionId"]);
  EXPECT_NE(events[0].authorization.find("Credential=AKIDOPS/"), std::string::npos);
}

TEST_F(ServerTest, HostAndTokenProtectionsHold) {
  auto c = client();
  auto foreign =
      c.Get("/api/migrations", httplib::Headers{{"Host", "evil.example:" + std::to_string(port_)}});
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403);
  auto no_token =
      c.Post("/api/migrate", httplib::Headers{{"Origin", "http://127.0.0.1:" + std::to_string(port_)}}, "{}",
             "application/json");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);
  auto cross_site =
      c.Post("/api/rollback", httplib::Headers{{"Origin", "https://evil.example"}}, "{}", "text/plain");
  ASSERT_TRUE(cross_site);
  EXPECT_EQ(cross_site->status, 403);
  auto wrong_origin = c.Post("/api/rollback",
                             httplib::Headers{{"X-Auric-Token", token()}, {"Origin", "https://evil.example"}},
                             "{}", "application/json");
  ASSERT_TRUE(wrong_origin);
  EXPECT_EQ(wrong_origin->status, 403);
  for (const auto& i : lambda_.invocations()) EXPECT_NE(i.type, "Event") << "nothing was started";
}

// Benchmark: GET /api/migrations backed by dynalite with 100 migrations x 20 runs each.
class LargeHistoryTest : public ServerTest {
 protected:
  void seed_history() override {
    auto store = open_dynamodb_store(kTable, dynalite_.client_config());
    store->init();
    std::vector<std::string> ids;
    for (int i = 0; i < 100; ++i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%03d_migration", i);
      ids.emplace_back(buf);
    }
    const std::int64_t t0 = 1'700'000'000'000;
    std::vector<std::thread> workers;
    workers.reserve(4);
    for (int w = 0; w < 4; ++w) {
      workers.emplace_back([&, w] {
        for (std::size_t i = static_cast<std::size_t>(w); i < ids.size(); i += 4) {
          for (int run = 0; run < 20; ++run) {
            RunRecord r;
            r.run_id = ids[i] + "-run-" + std::to_string(run);
            r.id = ids[i];
            r.name = ids[i];
            r.status = RunStatus::kCompleted;
            r.direction = run % 2 == 0 ? Direction::kUp : Direction::kDown;
            r.execution_id = "exec-" + std::to_string(run);
            r.started_at = t0 + run * 1000;
            r.completed_at = r.started_at + 5;
            r.duration_ms = 5;
            EXPECT_EQ(store->put_run(r), WriteOutcome::kOk) << r.run_id;
          }
          MigrationState s;
          s.id = ids[i];
          s.applied = true;
          s.started_at = t0 + 19 * 1000;
          s.completed_at = s.started_at + 5;
          s.last_run_id = ids[i] + "-run-19";
          s.last_execution_id = "exec-19";
          EXPECT_EQ(store->put_state(s), WriteOutcome::kOk) << s.id;
        }
      });
    }
    for (auto& t : workers) t.join();
    lambda_.set_status_answer({{"pending", Json::array()}, {"completed", ids}, {"failed", Json::array()}});
  }
};

TEST_F(LargeHistoryTest, ApiMigrationsLatency) {
  auto c = client();
  std::vector<double> ms;
  for (int i = 0; i < 21; ++i) {
    const auto t = std::chrono::steady_clock::now();
    auto r = c.Get("/api/migrations");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    if (i == 0) {
      EXPECT_EQ(Json::parse(r->body).size(), 100u);
      continue;  // the first request also asks the function for its migrations
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf(
      "[ bench    ] GET /api/migrations, 100 migrations x 20 runs on dynalite: median %.1f ms, max %.1f ms\n",
      ms[ms.size() / 2], ms.back());
  EXPECT_LT(ms[ms.size() / 2], 2000.0);
}

// The browser test: Chromium (playwright-core) shows the table's data, a rollback from the UI
// sends exactly one asynchronous Invoke, and a page on another origin starts nothing.
TEST_F(ServerTest, BrowserShowsTheDataAndARollbackSendsOneInvoke) {
  if (std::string(AURIC_TOOL_NODE).empty() || std::string(AURIC_TOOL_CHROMIUM).empty()) {
    GTEST_SKIP() << "needs node and chromium";
  }
  const std::string command =
      std::string(AURIC_TOOL_NODE) + " " + AURIC_TOOL_E2E_SCRIPT + " --url " + ready_.url + " --ui-dir " +
      AURIC_TOOL_UI_DIR + " --chromium " + AURIC_TOOL_CHROMIUM +
      " --newest 002_beta --ids 001_alpha,002_beta,003_gamma --out " + AURIC_TOOL_E2E_OUT + " 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  const int status = ::pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 3) GTEST_SKIP() << output;
  ASSERT_EQ(code, 0) << output;
  std::vector<testing::FakeLambda::Invocation> events;
  for (const auto& i : lambda_.invocations())
    if (i.type == "Event") events.push_back(i);
  ASSERT_EQ(events.size(), 1u) << "exactly one async Invoke (the UI's rollback; none from the other origin)\n"
                               << output;
  EXPECT_EQ(events[0].function, kFunction);
  EXPECT_EQ(events[0].payload["direction"], "down") << events[0].payload.dump();
  EXPECT_TRUE(events[0].payload.contains("executionId")) << events[0].payload.dump();
  EXPECT_EQ(events[0].payload.value("target", ""), "002_beta")
      << "the UI's down target is the migration itself: " << events[0].payload.dump();
  EXPECT_FALSE(events[0].payload.contains("steps"));
}

}  // namespace
}  // namespace auric::dashboard_tool
