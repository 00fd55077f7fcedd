// lambda:8 backfills end to end: the real migrations binary (backfill_fixture) under the Lambda
// emulator with 8 concurrent execution environments and a 3 s timeout, a dynalite store and a
// dynalite source table behind a proxy that logs what they apply. The coordinating migration
// fans out 8 segment workers over 16 segments; the workers hop at their deadline; every async
// event (the run, its hops, every worker event and its continuations) is delivered twice; and
// one worker's hop is killed with SIGKILL while it works on a segment. Every item is rewritten
// exactly once in effect, the totals are exact, and the claims log (the segment claims and
// releases the store applied, joined with the invocations' lifetimes) shows that no segment was
// ever held by two live invocations at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "aws/dynamodb.hpp"
#include "fault_proxy.hpp"
#include "lambda_support.hpp"

namespace auric::lambda::testing {
namespace {

using namespace std::chrono_literals;
namespace dt = dynamodb_testing;
using aws::testing::TestRequest;
using aws::testing::TestResponse;
using Clock = std::chrono::steady_clock;

constexpr int kItems = 2'400;
constexpr int kWorkers = 8;
constexpr int kSegments = 16;

// A segment write the store applied, as the proxy saw it.
struct SegmentWrite {
  enum class Kind { kClaim, kSave, kRelease, kFinish } kind = Kind::kSave;
  std::string segment;  // the item's sort key (SEG#00003)
  std::string owner;    // lambda/<request id>/<worker>
  Clock::time_point arrived;
  Clock::time_point answered;
};

std::string string_value(const Json& attribute) {
  return attribute.is_object() ? attribute.value("S", "") : "";
}

// The claims log: every applied UpdateItem of a segment item of `table`.
class ClaimsLog {
 public:
  explicit ClaimsLog(std::string table) : table_(std::move(table)) {}

  void observe(const TestRequest& request, const TestResponse& response, Clock::time_point arrived,
               Clock::time_point answered) {
    if (request.headers.get("X-Amz-Target").value_or("") != "DynamoDB_20120810.UpdateItem" ||
        response.status != 200)
      return;  // not a write, or not applied (a failed condition is a 400)
    Json body = Json::parse(request.body, nullptr, false);  // not const: a missing key reads as null
    if (!body.is_object() || body.value("TableName", "") != table_) return;
    SegmentWrite w;
    w.segment = string_value(body["Key"]["sk"]);
    if (!w.segment.starts_with("SEG#")) return;
    Json& values = body["ExpressionAttributeValues"];
    w.owner = string_value(values[":me"]);
    w.arrived = arrived;
    w.answered = answered;
    const std::string update = body.value("UpdateExpression", "");
    if (update.starts_with("SET #ow = :me, lease_expires_at")) {
      w.kind = SegmentWrite::Kind::kClaim;
    } else {
      // A save: its SET names every progress attribute; a release clears the owner.
      for (const auto& [placeholder, name] : body["ExpressionAttributeNames"].items()) {
        if (!placeholder.starts_with("#a")) continue;  // #ow is the condition's
        const std::string value = string_value(values[":" + placeholder.substr(1)]);
        if (name == "owner" && value.empty()) w.kind = SegmentWrite::Kind::kRelease;
        if (name == "state" && (value == "done" || value == "failed")) w.kind = SegmentWrite::Kind::kFinish;
      }
    }
    std::lock_guard guard(mutex_);
    writes_.push_back(w);
  }

  std::vector<SegmentWrite> writes() const {
    std::lock_guard guard(mutex_);
    return writes_;
  }

 private:
  std::string table_;
  mutable std::mutex mutex_;
  std::vector<SegmentWrite> writes_;
};

// "lambda/req-12/3" -> "req-12"; "" when the owner is not a Lambda worker's.
std::string request_of(const std::string& owner) {
  if (!owner.starts_with("lambda/")) return {};
  const auto slash = owner.find('/', 7);
  return slash == std::string::npos ? std::string() : owner.substr(7, slash - 7);
}

int worker_of(const InvocationRecord& r) {
  const Json event = Json::parse(r.event, nullptr, false);
  return event.is_object() && event.value("auric", "") == "backfill-worker" ? event.value("worker", -1) : -1;
}

// The invocation's answer's `status` ("" when it failed or answered no object).
std::string status_of(const InvocationRecord& r) {
  const Json body = Json::parse(r.response, nullptr, false);
  return !r.error && body.is_object() ? body.value("status", "") : "";
}

double ms_since(Clock::time_point origin, Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(t - origin).count();
}

class LambdaBackfillE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dt::dynalite(); }
  void SetUp() override {
    db_ = std::make_unique<aws::DynamoDbClient>(dt::client_config());
    table_ = dt::seed_numbered_table(*db_, "lambda-backfill", kItems);
    proxy_ = std::make_unique<aws::testing::FaultProxy>(dt::dynalite().endpoint());
    claims_ = std::make_unique<ClaimsLog>(scenario_.table);
    proxy_->set_observer([this](const TestRequest& q, const TestResponse& a, Clock::time_point arrived,
                                Clock::time_point answered) { claims_->observe(q, a, arrived, answered); });
    // The store and the source table both through the proxy (the backfill's client is the store's).
    scenario_.store_url = dt::store_url(scenario_.table, proxy_->endpoint());
  }

  std::string logs(const FakeLambda& fn) const {
    std::ostringstream out;
    const auto origin = fn.records().empty() ? Clock::now() : fn.records().front().started;
    out << "invocations:\n";
    for (const auto& r : fn.records()) {
      out << "  " << r.request_id << " env " << r.environment << " worker " << worker_of(r) << " "
          << ms_since(origin, r.started) << ".." << (r.done ? ms_since(origin, r.finished) : -1.0) << " ms "
          << (r.killed ? "KILLED " : "") << r.response.substr(0, 160) << "\n";
    }
    out << "claims log:\n";
    for (const auto& w : claims_->writes()) {
      static const char* const kinds[] = {"claim", "save", "release", "finish"};
      out << "  " << ms_since(origin, w.answered) << " ms " << kinds[static_cast<int>(w.kind)] << " "
          << w.segment << " " << w.owner << "\n";
    }
    return out.str() + "function log:\n" + fn.log();
  }

  Scenario scenario_{StoreKind::kDynamoDb};
  std::unique_ptr<aws::DynamoDbClient> db_;
  std::string table_;
  std::unique_ptr<aws::testing::FaultProxy> proxy_;
  std::unique_ptr<ClaimsLog> claims_;
};

TEST_F(LambdaBackfillE2E, EightWorkersHopSurviveAKilledHopAndDuplicateDeliveriesAndRewriteEveryItemOnce) {
  FunctionConfig config;
  config.command = {AURIC_BACKFILL_FIXTURE};
  config.timeout = 3000ms;
  config.concurrency = kWorkers;
  config.cwd = scenario_.dir;
  config.env = scenario_.env({{"FIXTURE_BACKFILL_TABLE", table_},
                              {"FIXTURE_BACKFILL_WORKERS", "lambda:" + std::to_string(kWorkers)},
                              {"FIXTURE_BACKFILL_SEGMENTS", std::to_string(kSegments)},
                              {"FIXTURE_BACKFILL_ITEM_MS", "2"},
                              {"FIXTURE_BACKFILL_PAGE_SIZE", "10"},
                              // 1 s of work per invocation, then finish the page (of 10 items), save, release
                              // and hop, with 2 s left for that: a busy 2-core machine answers slowly.
                              {"MIGRATION_TIMEOUT_THRESHOLD_MS", "2000"},
                              // A killed worker's segment is free again 5 s after its last save.
                              {"MIGRATION_BACKFILL_LEASE_SECONDS", "5"}});
  FakeLambda fn(config);
  // On any failure, the invocations, the claims log and the function's log, once.
  struct PrintOnFailure {
    std::function<std::string()> text;
    ~PrintOnFailure() {
      if (::testing::Test::HasFailure()) std::cerr << text();
    }
  } print_on_failure{[&] { return logs(fn); }};
  fn.duplicate_async(true);
  fn.start();
  fn.enqueue(Json::object());  // the run (delivered twice, too)

  // Kill a worker's hop (an invocation of a slot whose earlier invocation answered `continued`)
  // once it has saved a page of its segment: it dies in the middle of the next.
  std::string killed;
  std::thread killer([&] {
    const auto deadline = Clock::now() + 90s;
    while (killed.empty() && Clock::now() < deadline) {
      const auto records = fn.records();
      std::set<std::string> saved;  // request ids with a saved page
      for (const auto& w : claims_->writes()) {
        if (w.kind == SegmentWrite::Kind::kSave) saved.insert(request_of(w.owner));
      }
      std::map<int, Clock::time_point> continued;  // slot -> its first continued invocation's start
      for (const auto& r : records) {
        const int k = worker_of(r);
        if (k >= 0 && r.done && status_of(r) == "continued") continued.emplace(k, r.started);
      }
      for (const auto& r : records) {
        const int k = worker_of(r);
        if (r.done || k < 0 || !continued.contains(k) || r.started <= continued[k] ||
            !saved.contains(r.request_id))
          continue;
        if (fn.kill_invocation(r.request_id)) killed = r.request_id;
        break;
      }
      std::this_thread::sleep_for(5ms);
    }
  });

  // Done when the run's last hop answered `completed` and nothing is queued or in flight.
  const auto completed = [&]() -> std::string {
    for (const auto& r : fn.records()) {
      if (status_of(r) == "completed") return Json::parse(r.response).value("executionId", "");
    }
    return {};
  };
  const auto deadline = Clock::now() + 150s;
  while (Clock::now() < deadline && !(!completed().empty() && fn.wait_idle(0ms)))
    std::this_thread::sleep_for(50ms);
  killer.join();
  const std::string execution_id = completed();
  ASSERT_FALSE(execution_id.empty());
  ASSERT_TRUE(fn.wait_idle(30s));
  ASSERT_FALSE(killed.empty()) << "no worker hop was killed";

  const auto records = fn.records();
  // 8 environments at most, and all of them used.
  EXPECT_EQ(fn.peak_concurrency(), kWorkers);
  // Every async invoke (and the first run event) was delivered twice.
  EXPECT_EQ(records.size(), 2 * (fn.invoke_requests() + 1));
  // Workers hopped: some worker invocations answered `continued`, and every slot ran.
  std::set<int> slots;
  int hops = 0;
  for (const auto& r : records) {
    const int k = worker_of(r);
    if (k < 0) continue;
    slots.insert(k);
    if (status_of(r) == "continued") ++hops;
    EXPECT_FALSE(r.timed_out) << r.request_id << " overran its deadline";
  }
  EXPECT_EQ(slots.size(), static_cast<std::size_t>(kWorkers));
  EXPECT_GE(hops, kWorkers);
  const auto victim = std::find_if(records.begin(), records.end(),
                                   [&](const InvocationRecord& r) { return r.request_id == killed; });
  ASSERT_NE(victim, records.end());
  EXPECT_TRUE(victim->killed);
  EXPECT_EQ(victim->error_type, "Runtime.ExitError");

  // The claims log: every claim came from a worker invocation while it ran, and each holder of a
  // segment let it go (released it, finished it, or died) before the next holder's claim.
  const Clock::time_point origin = records.front().started;
  std::map<std::string, const InvocationRecord*> by_id;
  for (const auto& r : records) by_id[r.request_id] = &r;
  struct Hold {
    std::string owner;
    Clock::time_point from;  // the claim answered
    Clock::time_point to;    // its release or finish arrived, or its invocation ended
  };
  std::map<std::string, std::vector<Hold>> holds;  // segment -> holds in claim order
  const auto writes = claims_->writes();
  int claims = 0;
  for (const auto& w : writes) {
    if (w.kind != SegmentWrite::Kind::kClaim) continue;
    ++claims;
    const auto it = by_id.find(request_of(w.owner));
    ASSERT_NE(it, by_id.end()) << "a claim by " << w.owner << ", no invocation of ours";
    const InvocationRecord& r = *it->second;
    EXPECT_GE(w.arrived, r.started) << w.owner;
    EXPECT_TRUE(!r.done || w.answered <= r.finished + 50ms)
        << w.owner << " claimed after its invocation ended";
    Hold h{w.owner, w.answered, r.finished};
    for (const auto& end : writes) {
      if ((end.kind == SegmentWrite::Kind::kRelease || end.kind == SegmentWrite::Kind::kFinish) &&
          end.owner == w.owner && end.segment == w.segment && end.arrived >= w.arrived) {
        h.to = std::min(h.to, end.arrived);
      }
    }
    holds[w.segment].push_back(h);
  }
  EXPECT_EQ(holds.size(), static_cast<std::size_t>(kSegments));
  EXPECT_GT(claims, kSegments) << "hops and the takeover claim segments again";
  for (auto& [segment, list] : holds) {
    std::sort(list.begin(), list.end(), [](const Hold& a, const Hold& b) { return a.from < b.from; });
    for (std::size_t i = 1; i < list.size(); ++i) {
      EXPECT_LE(ms_since(origin, list[i - 1].to), ms_since(origin, list[i].from))
          << segment << " held by " << list[i - 1].owner << " and " << list[i].owner
          << " at once (ms since the run began)";
    }
  }
  // The killed hop's segment was taken over (after its lease) by another invocation.
  bool taken_over = false;
  for (const auto& [segment, list] : holds) {
    for (std::size_t i = 0; i + 1 < list.size(); ++i) {
      if (request_of(list[i].owner) == killed) taken_over = true;
    }
  }
  EXPECT_TRUE(taken_over);

  // Every item rewritten exactly once in effect, every item processed, exact totals.
  EXPECT_EQ(dt::items_not_doubled_once(*db_, table_, kItems), 0);
  std::set<int> processed;
  Json totals;
  for (const auto& line : scenario_.side_lines()) {
    std::stringstream in(line);
    std::string word;
    in >> word;
    if (word == "item") {
      int n = -1;
      in >> n;
      processed.insert(n);
    } else if (word == "result") {
      totals = Json::parse(line.substr(7));
    }
  }
  EXPECT_EQ(static_cast<int>(processed.size()), kItems);
  ASSERT_TRUE(totals.is_object());
  EXPECT_EQ(totals["segments"], kSegments);
  EXPECT_EQ(totals["scanned"], kItems) << "exact: the killed hop's unsaved page counted once";
  EXPECT_EQ(totals["written"].get<int>() + totals["skipped"].get<int>(), kItems);
  EXPECT_EQ(totals["failed"], 0);
  const auto execution = scenario_.store()->get_execution(execution_id);
  ASSERT_TRUE(execution.has_value());
  EXPECT_EQ(execution->status, ExecutionStatus::kCompleted);
}

}  // namespace
}  // namespace auric::lambda::testing
