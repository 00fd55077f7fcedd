// fargate:N backfills end to end with the real migrations binary (backfill_fixture): the
// coordinator is the `fargate` command (a run on Fargate) over a dynalite source table and a
// dynalite store; its ECS RunTask calls go to a fake ECS on 127.0.0.1 (the JSON 1.1 wire
// format, X-Amz-Target AmazonEC2ContainerServiceV20141113.RunTask) that starts each task as a
// local process of the same binary, with the task definition's environment plus the request's
// container override, as ECS would. Every item is rewritten exactly once in effect with the
// totals of threads:N, the three RunTask requests name the task definition, network and
// worker events; a task killed with SIGKILL mid-segment has its segment taken over by a
// relaunch of its slot after the lease. And the coordinator's relaunch rules on a simulated
// clock.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "aws/dynamodb.hpp"
#include "backfill/workers.hpp"
#include "core/segment_store.hpp"
#include "lambda_support.hpp"
#include "simulated_clock.hpp"
#include "store/open_store.hpp"

extern char** environ;

namespace auric::lambda::testing {
namespace {

using namespace std::chrono_literals;
using aws::AttributeValue;
using aws::Item;
namespace dt = dynamodb_testing;
using aws::testing::TestRequest;
using aws::testing::TestResponse;

constexpr const char* kMigration = "20250101000000_double";
constexpr int kItems = 1'200;

// Starts `argv` with this process's environment plus `env`, stderr to `log`; dies with us.
// Everything is prepared before fork() (the child only execs): safe from a server thread.
pid_t start_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                    const std::string& cwd, const std::string& log) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> entries;
  for (const auto& [k, v] : merged) entries.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(fd, 2);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execve(argp[0], argp.data(), envp.data());
    ::_exit(127);
  }
  if (fd >= 0) ::close(fd);
  if (null_fd >= 0) ::close(null_fd);
  if (pid < 0) throw std::runtime_error("fork failed");
  return pid;
}

// A process's exit: nullopt while it runs; the exit code, or 128 + the signal that killed it.
std::optional<int> poll_exit(pid_t pid) {
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r != pid) return std::nullopt;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// ECS RunTask: every task is a process of `command` with the task definition's environment
// (`task_env`) plus the request's container override. Processes still running at the end
// are killed.
class TaskEcs {
 public:
  struct Task {
    Json request;
    pid_t pid = -1;
    std::optional<int> exit;
  };

  TaskEcs(std::vector<std::string> command, std::map<std::string, std::string> task_env, std::string dir)
      : command_(std::move(command)),
        task_env_(std::move(task_env)),
        dir_(std::move(dir)),
        server_([this](const TestRequest& r) { return handle(r); }) {}
  ~TaskEcs() {
    server_.stop();
    std::lock_guard guard(mutex_);
    for (auto& t : tasks_) {
      if (t.exit) continue;
      ::kill(t.pid, SIGKILL);
      int status = 0;
      ::waitpid(t.pid, &status, 0);
    }
  }
  TaskEcs(const TaskEcs&) = delete;
  TaskEcs& operator=(const TaskEcs&) = delete;

  std::string endpoint() const { return server_.url(); }
  // Task `n` (0-based, in RunTask order) also gets `env`: a slower machine, say.
  void extra_env_for(std::size_t n, std::map<std::string, std::string> env) {
    std::lock_guard guard(mutex_);
    extra_[n] = std::move(env);
  }
  // The tasks so far, their exits polled.
  std::vector<Task> tasks() {
    std::lock_guard guard(mutex_);
    for (auto& t : tasks_) {
      if (!t.exit) t.exit = poll_exit(t.pid);
    }
    return tasks_;
  }
  std::string log() const { return auric::test::read_file(dir_ + "/tasks.log"); }

 private:
  TestResponse handle(const TestRequest& r) {
    if (r.headers.get("X-Amz-Target").value_or("") != "AmazonEC2ContainerServiceV20141113.RunTask" ||
        r.headers.get("Content-Type").value_or("") != "application/x-amz-json-1.1") {
      return TestResponse::json(400, R"({"__type":"UnknownOperationException"})");
    }
    const Json request = Json::parse(r.body);
    std::map<std::string, std::string> env = task_env_;
    for (const auto& o : request["overrides"]["containerOverrides"]) {
      for (const auto& e : o.value("environment", Json::array()))
        env[e.at("name").get<std::string>()] = e.at("value").get<std::string>();
    }
    std::lock_guard guard(mutex_);
    if (const auto it = extra_.find(tasks_.size()); it != extra_.end()) {
      for (const auto& [k, v] : it->second) env[k] = v;
    }
    Task task;
    task.request = request;
    task.pid = start_process(command_, env, dir_, dir_ + "/tasks.log");
    tasks_.push_back(task);
    const std::string arn =
        "arn:aws:ecs:us-east-1:123456789012:task/backfill-cluster/" + std::to_string(tasks_.size());
    return TestResponse::json(
        200, Json{{"tasks", Json::array({Json{{"taskArn", arn}, {"lastStatus", "PROVISIONING"}}})},
                  {"failures", Json::array()}}
                 .dump());
  }

  std::vector<std::string> command_;
  std::map<std::string, std::string> task_env_;
  std::string dir_;
  std::mutex mutex_;
  std::vector<Task> tasks_;
  std::map<std::size_t, std::map<std::string, std::string>> extra_;
  aws::testing::TestHttpServer server_;
};

std::string override_env(const Json& request, const std::string& name) {
  for (const auto& e : request["overrides"]["containerOverrides"][0]["environment"]) {
    if (e.at("name") == name) return e.at("value").get<std::string>();
  }
  return {};
}

class FargateBackfillTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dt::dynalite(); }
  void SetUp() override {
    db_ = std::make_unique<aws::DynamoDbClient>(dt::client_config());
    table_ = dt::seed_numbered_table(*db_, "fargate-backfill", kItems);
    // The task definition's environment: the store, dynalite, the fixture's knobs.
    task_env_ = scenario_.env({{"FIXTURE_BACKFILL_TABLE", table_}, {"AWS_LAMBDA_RUNTIME_API", ""}});
    ecs_ = std::make_unique<TaskEcs>(std::vector<std::string>{AURIC_BACKFILL_FIXTURE, "fargate"}, task_env_,
                                     scenario_.dir);
  }

  // Runs the coordinator (`fargate`, fargate:3) to its end; its exit code.
  int coordinate(std::chrono::seconds timeout = 150s) {
    std::map<std::string, std::string> env = task_env_;
    env["MIGRATION_EXECUTION_ID"] = "exec-fargate-backfill";
    env["MIGRATION_CLUSTER"] = "backfill-cluster";
    env["MIGRATION_TASK_DEFINITION"] = "migrations:7";
    env["MIGRATION_SUBNETS"] = "subnet-a, subnet-b";
    env["MIGRATION_SECURITY_GROUPS"] = "sg-1";
    env["MIGRATION_CONTAINER_NAME"] = "runner";
    env["MIGRATION_BACKFILL_LEASE_SECONDS"] = "2";
    env["MIGRATION_BACKFILL_TASK_ROLE_ARN"] = "arn:aws:iam::123456789012:role/backfill-worker";
    env["MIGRATION_BACKFILL_START_SECONDS"] = "30";
    env["AWS_ENDPOINT_URL_ECS"] = ecs_->endpoint();
    coordinator_log_ = scenario_.dir + "/coordinator.log";
    coordinator_ = start_process({AURIC_BACKFILL_FIXTURE, "fargate"}, env, scenario_.dir, coordinator_log_);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (const auto code = poll_exit(coordinator_)) return *code;
      std::this_thread::sleep_for(50ms);
    }
    ::kill(coordinator_, SIGKILL);
    static_cast<void>(auric::test::wait_for(coordinator_));
    return -1;
  }

  std::string logs() {
    return "coordinator:\n" + auric::test::read_file(coordinator_log_) + "\ntasks:\n" + ecs_->log();
  }

  // The coordinator's "result" line, and fn's calls: item -> the pids that processed it.
  Json result() {
    for (const auto& line : scenario_.side_lines()) {
      if (line.starts_with("result ")) return Json::parse(line.substr(7));
    }
    return Json();
  }
  std::map<int, std::vector<int>> calls() {
    std::map<int, std::vector<int>> out;
    for (const auto& line : scenario_.side_lines()) {
      std::stringstream in(line);
      std::string word;
      int n = -1;
      int pid = -1;
      in >> word >> n >> pid;
      if (word == "item") out[n].push_back(pid);
    }
    return out;
  }
  std::vector<SegmentRecord> segments(const std::string& job_id) {
    return scenario_.store()->segments()->list_segments({kMigration, job_id});
  }

  Scenario scenario_{StoreKind::kDynamoDb};
  std::unique_ptr<aws::DynamoDbClient> db_;
  std::string table_;
  std::map<std::string, std::string> task_env_;
  std::unique_ptr<TaskEcs> ecs_;
  pid_t coordinator_ = -1;
  std::string coordinator_log_;
};

TEST_F(FargateBackfillTest, ThreeTasksOfTheRunnersTaskDefinitionRewriteEveryItemOnce) {
  ASSERT_EQ(coordinate(), 0) << logs();

  const auto tasks = ecs_->tasks();
  ASSERT_EQ(tasks.size(), 3u) << logs();
  std::set<int> workers;
  std::set<std::string> tokens;
  std::set<int> task_pids;
  for (const auto& t : tasks) {
    const Json& r = t.request;
    EXPECT_EQ(r["cluster"], "backfill-cluster");
    EXPECT_EQ(r["taskDefinition"], "migrations:7");
    EXPECT_EQ(r["count"], 1);
    EXPECT_EQ(r["launchType"], "FARGATE");
    EXPECT_EQ(r["startedBy"], "auric-backfill");
    EXPECT_EQ(r["networkConfiguration"]["awsvpcConfiguration"]["subnets"],
              Json::array({"subnet-a", "subnet-b"}));
    EXPECT_EQ(r["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"], Json::array({"sg-1"}));
    EXPECT_EQ(r["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"], "DISABLED");
    EXPECT_EQ(r["overrides"]["containerOverrides"][0]["name"], "runner");
    EXPECT_EQ(r["overrides"]["taskRoleArn"], "arn:aws:iam::123456789012:role/backfill-worker");
    EXPECT_EQ(override_env(r, "AURIC_BACKFILL_LEASE_MS"), "2000");
    const Json event = Json::parse(override_env(r, "AURIC_BACKFILL_WORKER"));
    EXPECT_EQ(event["auric"], "backfill-worker");
    EXPECT_EQ(event["migrationId"], kMigration);
    EXPECT_EQ(event["executionId"], "exec-fargate-backfill");
    EXPECT_EQ(event["direction"], "up");
    EXPECT_EQ(event["table"], table_);
    EXPECT_EQ(event["workers"], 3);
    workers.insert(event["worker"].get<int>());
    tokens.insert(r["clientToken"].get<std::string>());
    EXPECT_EQ(t.exit, std::optional<int>(0)) << logs();
    task_pids.insert(t.pid);
  }
  EXPECT_EQ(workers, (std::set<int>{0, 1, 2}));
  EXPECT_EQ(tokens.size(), 3u) << "every launch is its own task";

  const Json totals = result();
  ASSERT_TRUE(totals.is_object()) << logs();
  EXPECT_EQ(totals["segments"], 3);
  EXPECT_EQ(totals["scanned"], kItems);
  EXPECT_EQ(totals["written"], kItems);
  EXPECT_EQ(totals["skipped"], 0);
  EXPECT_EQ(totals["failed"], 0);
  const auto seen = calls();
  EXPECT_EQ(static_cast<int>(seen.size()), kItems);
  for (const auto& [n, pids] : seen) {
    ASSERT_EQ(pids.size(), 1u) << "item " << n;
    EXPECT_TRUE(task_pids.contains(pids[0])) << "item " << n << " processed outside a worker task";
  }
  EXPECT_EQ(dt::items_not_doubled_once(*db_, table_, kItems), 0);
  const auto records = segments(totals["job_id"].get<std::string>());
  ASSERT_EQ(records.size(), 3u);
  for (const auto& r : records) {
    EXPECT_EQ(r.state, SegmentState::kDone);
    EXPECT_TRUE(r.owner.starts_with("fargate/")) << r.owner;
  }
  const auto execution = scenario_.store()->get_execution("exec-fargate-backfill");
  ASSERT_TRUE(execution.has_value());
  EXPECT_EQ(execution->status, ExecutionStatus::kCompleted);
}

TEST_F(FargateBackfillTest, ATaskKilledMidSegmentHasItsSegmentTakenOverByARelaunchAfterTheLease) {
  // Task 0 is slow (30 ms an item: its ~400 items take seconds); the others finish their
  // segments and exit, finding nothing free. Then task 0 is killed mid-segment: only a
  // relaunch of its slot can finish the job.
  ecs_->extra_env_for(0, {{"FIXTURE_BACKFILL_ITEM_MS", "30"}});
  std::thread killer([this] {
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto tasks = ecs_->tasks();
      if (tasks.size() == 3 && tasks[1].exit && tasks[2].exit && !tasks[0].exit) {
        int mine = 0;
        for (const auto& [n, pids] : calls())
          mine += static_cast<int>(std::count(pids.begin(), pids.end(), tasks[0].pid));
        if (mine >= 80) {
          ::kill(tasks[0].pid, SIGKILL);
          return;
        }
      }
      std::this_thread::sleep_for(20ms);
    }
  });
  const int code = coordinate();
  killer.join();
  ASSERT_EQ(code, 0) << logs();

  const auto tasks = ecs_->tasks();
  ASSERT_EQ(tasks.size(), 4u) << logs();
  EXPECT_EQ(tasks[0].exit, std::optional<int>(128 + SIGKILL)) << "killed mid-segment";
  EXPECT_EQ(tasks[1].exit, std::optional<int>(0));
  EXPECT_EQ(tasks[2].exit, std::optional<int>(0));
  EXPECT_EQ(tasks[3].exit, std::optional<int>(0)) << logs();
  const Json relaunched = Json::parse(override_env(tasks[3].request, "AURIC_BACKFILL_WORKER"));
  const Json killed = Json::parse(override_env(tasks[0].request, "AURIC_BACKFILL_WORKER"));
  EXPECT_EQ(relaunched["worker"], killed["worker"]) << "the dead worker's slot is launched again";
  EXPECT_NE(tasks[3].request["clientToken"], tasks[0].request["clientToken"]);

  int twice = 0;
  int total_calls = 0;
  int by_killed = 0;
  for (const auto& [n, pids] : calls()) {
    total_calls += static_cast<int>(pids.size());
    twice += pids.size() == 2 ? 1 : 0;
    by_killed += static_cast<int>(std::count(pids.begin(), pids.end(), tasks[0].pid));
    EXPECT_LE(pids.size(), 2u) << "item " << n;
  }
  EXPECT_GE(by_killed, 80);
  EXPECT_LT(by_killed, kItems / 2) << "killed before its segment was done";
  // What the killed task processed after its last saved page (at most one page of 40) is
  // processed again by the relaunched task, and nothing else is.
  EXPECT_LE(twice, 40);
  EXPECT_EQ(total_calls, kItems + twice);
  const Json totals = result();
  ASSERT_TRUE(totals.is_object()) << logs();
  EXPECT_EQ(totals["scanned"], kItems) << "exact: the unsaved page counted once";
  EXPECT_EQ(totals["written"].get<int>() + totals["skipped"].get<int>(), kItems);
  EXPECT_LE(totals["skipped"].get<int>(), twice) << "only re-applied writes find their version";
  EXPECT_EQ(totals["failed"], 0);
  EXPECT_EQ(dt::items_not_doubled_once(*db_, table_, kItems), 0);
  for (const auto& r : segments(totals["job_id"].get<std::string>())) {
    EXPECT_EQ(r.state, SegmentState::kDone) << "segment " << r.segment;
  }
}

TEST_F(FargateBackfillTest, WithoutTheEcsSettingsTheRunFailsNamingTheVariables) {
  std::map<std::string, std::string> env = task_env_;
  env["AWS_ENDPOINT_URL_ECS"] = ecs_->endpoint();
  auric::test::ProcessSpec spec;
  spec.argv = {AURIC_BACKFILL_FIXTURE, "up"};
  spec.env = env;
  spec.cwd = scenario_.dir;
  const auto r = auric::test::run(spec);
  EXPECT_NE(r.exit_code, 0);
  const std::string text = r.out + r.err;
  EXPECT_NE(text.find("MIGRATION_CLUSTER MIGRATION_TASK_DEFINITION MIGRATION_SUBNETS"), std::string::npos)
      << text;
  EXPECT_TRUE(ecs_->tasks().empty());
}

TEST_F(FargateBackfillTest, AWorkerTaskWithABadEventFailsWithAClearMessage) {
  std::map<std::string, std::string> env = task_env_;
  env["AURIC_BACKFILL_WORKER"] = R"({"auric": "backfill-worker", "migrationId": "x"})";
  auric::test::ProcessSpec spec;
  spec.argv = {AURIC_BACKFILL_FIXTURE, "fargate"};
  spec.env = env;
  spec.cwd = scenario_.dir;
  const auto r = auric::test::run(spec);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("AURIC_BACKFILL_WORKER: "), std::string::npos) << r.err;
  EXPECT_TRUE(calls().empty());
}

// The coordinator on a simulated clock, with a launcher that only records its launches.
using backfill::testing::SimulatedClock;

struct RecordingLauncher final : backfill::WorkerLauncher {
  RecordingLauncher(SimulatedClock& c, std::chrono::milliseconds start_grace)
      : clock(c), grace(start_grace) {}
  SimulatedClock& clock;
  std::chrono::milliseconds grace;
  std::vector<std::pair<std::int64_t, int>> launches;  // when, slot
  void launch(const backfill::WorkerEvent& event) override {
    launches.emplace_back(clock.now_ms(), event.worker);
  }
  std::chrono::milliseconds lease_ttl() const override { return 2'000ms; }
  std::chrono::milliseconds poll() const override { return 500ms; }
  std::chrono::milliseconds start_grace() const override { return grace; }
};

class FargateBackfillCoordinator : public ::testing::Test {
 protected:
  void SetUp() override {
    dt::dynalite();
    db_ = std::make_unique<aws::DynamoDbClient>(dt::client_config());
    table_ = dt::seed_numbered_table(*db_, "fargate-backfill", 10);
    store_ = open_store("memory:");
  }
  SegmentStore& segments() { return *store_->segments(); }
  // Claims `segment` of `job` for `owner` at `t` for `ttl_ms`.
  SegmentRecord claim(const SegmentJob& job, int segment, const std::string& owner, std::int64_t t,
                      std::int64_t ttl_ms) {
    SegmentClaim claim;
    claim.job = job;
    claim.segment = segment;
    claim.owner = owner;
    claim.now_ms = t;
    claim.ttl_ms = ttl_ms;
    auto record = segments().claim_segment(claim);
    EXPECT_TRUE(record.has_value()) << "claim of segment " << segment << " at " << t;
    return record.value_or(SegmentRecord{});
  }
  backfill::CoordinatorOptions options(int workers, RecordingLauncher& launcher, SimulatedClock& clock,
                                       std::int64_t stop_at) {
    backfill::CoordinatorOptions o;
    o.workers = workers;
    o.launcher = &launcher;
    o.clock = &clock;
    o.should_stop = [&clock, stop_at] { return clock.now_ms() >= stop_at; };
    return o;
  }
  BackfillSpec spec(int total_segments) const {
    BackfillSpec s;
    s.table = table_;
    s.total_segments = total_segments;
    return s;
  }

  std::unique_ptr<aws::DynamoDbClient> db_;
  std::string table_;
  std::unique_ptr<Store> store_;
};

// The relaunch rules: a launched slot that has not shown up holding a segment is started again
// only after start_grace, and no other slot is started in its stead; a slot that held a segment
// and died is started again once its lease ran out.
TEST_F(FargateBackfillCoordinator, ASlowStartWaitsForTheGraceADeadHolderForItsLease) {
  const SegmentJob job{kMigration, "job-grace"};
  SimulatedClock clock;
  RecordingLauncher launcher(clock, 10'000ms);
  // Slot 0's task shows up at 1 s holding segment 0 (lease to 3 s) and dies; slot 1's never does.
  clock.on_sleep = [&](std::int64_t t) {
    if (t == 1'000) claim(job, 0, "fargate/task-a/0", t, 2'000);
  };
  const auto result =
      backfill::coordinate_backfill(*db_, segments(), job, spec(2), options(2, launcher, clock, 12'000));
  EXPECT_TRUE(result.stopped);
  const std::vector<std::pair<std::int64_t, int>> expected = {{0, 0}, {0, 1}, {3'000, 0}, {10'000, 1}};
  EXPECT_EQ(launcher.launches, expected);
}

// Workers that die before their first page (a bad image, a crash at start): the coordinator
// starts the slot again once per lease, and after max_fruitless_relaunches relaunches with no
// item read and no segment finished since, it fails the migration saying so instead of
// relaunching forever. Progress in between (a page saved at 5 s) starts the count again.
TEST_F(FargateBackfillCoordinator, WorkersThatNeverGetAnywhereFailTheJobAfterThreeFruitlessRelaunches) {
  const SegmentJob job{kMigration, "job-fruitless"};
  SimulatedClock clock;
  RecordingLauncher launcher(clock, 2'000ms);
  // At 5 s one worker gets a page done (5 items) and dies: the job moved.
  clock.on_sleep = [&](std::int64_t t) {
    if (t != 5'000) return;
    SegmentRecord record = claim(job, 0, "fargate/task-x/0", t, 1);
    record.counts.scanned = 5;
    record.cursor = "{}";
    ASSERT_EQ(segments().save_segment(record, true), WriteOutcome::kOk);
  };
  try {
    static_cast<void>(
        backfill::coordinate_backfill(*db_, segments(), job, spec(1), options(1, launcher, clock, 60'000)));
    FAIL() << "the coordinator kept relaunching";
  } catch (const BackfillFailed& e) {
    EXPECT_NE(
        std::string(e.what()).find("worker slots were started again 3 times in a row and no item was read"),
        std::string::npos)
        << e.what();
    EXPECT_EQ(e.result().scanned, 5) << "the totals so far";
  }
  const std::vector<std::pair<std::int64_t, int>> expected = {{0, 0},     {2'000, 0}, {4'000, 0},
                                                              {6'000, 0}, {8'000, 0}, {10'000, 0}};
  EXPECT_EQ(launcher.launches, expected);
  EXPECT_EQ(clock.now_ms(), 12'000) << "failed at the relaunch after three fruitless ones";
}

}  // namespace
}  // namespace auric::lambda::testing
