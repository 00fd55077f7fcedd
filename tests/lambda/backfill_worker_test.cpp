// lambda:N backfills through the event handler, in process: a coordinating migration on a
// memory store and a dynalite source table, its worker and continuation events delivered by a
// small async-invoke loop (each invocation on its own thread with its own handler and a tiny
// deadline, so workers save, release and self-continue many times). Every item is rewritten
// exactly once in effect, the totals are those of threads:N, a duplicated delivery of every
// worker event changes nothing, a worker that dies mid-segment has its segment taken over
// after the lease; and the segment-worker event's validation.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <auric/backfill.hpp>

#include "aws/dynamodb.hpp"
#include "backfill/workers.hpp"
#include "core/ids.hpp"
#include "core/system.hpp"
#include "dynamodb_support.hpp"
#include "lambda/events.hpp"
#include "lambda/handler.hpp"
#include "store/open_store.hpp"

namespace auric::lambda::testing {
namespace {

using namespace std::chrono_literals;
using aws::AttributeValue;
using aws::Item;
namespace dt = dynamodb_testing;

constexpr const char* kMigration = "20250101000000_double";

// An async invoke loop: every invoke_async becomes a delivery on its own thread (optionally
// twice for worker events), handled by a fresh EventHandler with a deadline `timeout` away.
class Functions : public ContinuationInvoker {
 public:
  using MakeHandler = std::function<std::unique_ptr<EventHandler>(ContinuationInvoker*)>;
  Functions(MakeHandler make, std::chrono::milliseconds coordinator_timeout,
            std::chrono::milliseconds worker_timeout)
      : make_(std::move(make)), coordinator_timeout_(coordinator_timeout), worker_timeout_(worker_timeout) {}
  ~Functions() override {
    std::vector<std::thread> threads;
    {
      std::lock_guard guard(mutex_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  void invoke_async(const std::string& /*function*/, const Json& payload) override {
    const bool worker = payload.contains("auric");
    deliver(payload);
    if (worker && duplicate_workers) deliver(payload);
  }

  void deliver(const Json& payload) {
    std::lock_guard guard(mutex_);
    ++in_flight_;
    threads_.emplace_back([this, payload] {
      const bool worker = payload.contains("auric");
      InvocationInfo info;
      info.request_id = new_uuid();
      info.function_arn = "arn:aws:lambda:us-east-1:1:function:migrations";
      info.deadline_ms = system_now_ms() + (worker ? worker_timeout_ : coordinator_timeout_).count();
      Json result;
      try {
        result = make_(this)->handle(payload, info);
      } catch (const std::exception& e) {
        result = {{"status", "error"}, {"error", e.what()}};
      }
      std::lock_guard done(mutex_);
      (worker ? worker_results : coordinator_results).push_back(result);
      --in_flight_;
      changed_.notify_all();
    });
  }

  // Waits until a coordinator hop ended the execution (completed or failed) and nothing is in
  // flight; false after `timeout`.
  bool wait_finished(std::chrono::milliseconds timeout) {
    std::unique_lock guard(mutex_);
    return changed_.wait_for(guard, timeout, [this] {
      if (in_flight_ != 0) return false;
      return std::any_of(coordinator_results.begin(), coordinator_results.end(), [](const Json& r) {
        return r.value("status", "") == "completed" || r.value("status", "") == "failed";
      });
    });
  }

  int count(const std::vector<Json>& results, const std::string& status) {
    std::lock_guard guard(mutex_);
    return static_cast<int>(std::count_if(results.begin(), results.end(),
                                          [&](const Json& r) { return r.value("status", "") == status; }));
  }

  bool duplicate_workers = false;
  std::vector<Json> worker_results;
  std::vector<Json> coordinator_results;

 private:
  MakeHandler make_;
  std::chrono::milliseconds coordinator_timeout_;
  std::chrono::milliseconds worker_timeout_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::thread> threads_;
  int in_flight_ = 0;
};

class LambdaBackfillTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dt::dynalite(); }
  void SetUp() override { db_ = std::make_unique<aws::DynamoDbClient>(dt::client_config()); }

  // The migration: doubles `amount` over 6 segments with lambda:3 workers; `on_item` sees each
  // item fn is called with.
  std::vector<MigrationEntry> migrations(const std::string& table, std::function<void(const Item&)> on_item) {
    Migration m;
    m.up = [this, table, on_item](Context& ctx) -> Json {
      BackfillSpec spec;
      spec.table = table;
      spec.total_segments = 6;
      spec.page_size = 40;
      spec.workers = "lambda:3";
      const BackfillFn fn = [on_item](const Item& item) -> BackfillWrites {
        on_item(item);
        return {BackfillWrite::update({{"id", item.at("id")}}, "SET amount = :d", {},
                                      {{":d", AttributeValue::number(2 * item.at("amount").as_int())}})
                    .only_if_version_below("version", 1)};
      };
      const auto result = ctx.backfill(spec, fn);
      std::lock_guard guard(mutex_);
      result_ = result;
      return result.to_json();
    };
    m.down = [](Context&) -> Json { return {}; };
    return define_migrations({{kMigration, m}});
  }

  // `after_page_writes`: HandlerSettings' test hook for every worker (throw to kill one).
  Functions::MakeHandler handlers(std::vector<MigrationEntry> list,
                                  std::function<void(int, std::size_t)> after_page_writes = {}) {
    return [this, list, after_page_writes](ContinuationInvoker* invoker) {
      RunnerOptions base;
      base.capture_stdio = false;
      base.heartbeat = 500ms;
      base.lease_ttl = 5000ms;
      base.services.insert_or_assign("dynamodb", [this]() -> std::any { return db_.get(); });
      base.services.insert_or_assign(std::string(kSegmentStoreService),
                                     [this]() -> std::any { return store_->segments(); });
      HandlerSettings settings;
      settings.stop_margin = 150ms;
      settings.max_hops = 10'000;
      settings.backfill_lease = 1500ms;
      settings.backfill_poll = 50ms;
      settings.backfill_after_page_writes = after_page_writes;
      // The invoker is the loop itself; a non-owning shared_ptr.
      auto shared = std::shared_ptr<ContinuationInvoker>(invoker, [](ContinuationInvoker*) {});
      auto handler = std::make_unique<EventHandler>(*store_, list, base, settings, shared, nullptr);
      handler->set_log([](const std::string&) {});
      return handler;
    };
  }

  std::vector<SegmentRecord> segments_of_job() {
    std::lock_guard guard(mutex_);
    return store_->segments()->list_segments({kMigration, result_.job_id});
  }

  std::unique_ptr<aws::DynamoDbClient> db_;
  std::unique_ptr<Store> store_ = open_store("memory:");
  std::mutex mutex_;
  BackfillResult result_;
};

TEST_F(LambdaBackfillTest, ThreeLambdaWorkersRewriteEveryItemOnceAcrossManySelfContinuations) {
  constexpr int kItems = 2'000;
  const auto table = dt::seed_numbered_table(*db_, "lambda-backfill", kItems);
  std::atomic<int> calls{0};
  Functions functions(handlers(migrations(table, [&](const Item&) { ++calls; })), 1500ms, 450ms);
  functions.deliver(Json{{"direction", "up"}});
  ASSERT_TRUE(functions.wait_finished(240s));

  EXPECT_EQ(functions.count(functions.coordinator_results, "completed"), 1);
  EXPECT_EQ(functions.count(functions.coordinator_results, "failed"), 0);
  EXPECT_GE(functions.count(functions.worker_results, "continued"), 3) << "tiny deadlines: workers continue";
  EXPECT_EQ(functions.count(functions.worker_results, "failed"), 0);
  std::lock_guard guard(mutex_);
  EXPECT_EQ(result_.segments, 6);
  EXPECT_EQ(result_.scanned, kItems);
  EXPECT_EQ(result_.written, kItems);  // as threads:N: a stop saves whole pages, nothing is redone
  EXPECT_EQ(result_.skipped, 0);
  EXPECT_EQ(result_.failed, 0);
  EXPECT_FALSE(result_.stopped);
  EXPECT_EQ(calls.load(), kItems);
  EXPECT_EQ(dt::items_not_doubled_once(*db_, table, kItems), 0);
  for (const auto& r : store_->segments()->list_segments({kMigration, result_.job_id})) {
    EXPECT_EQ(r.state, SegmentState::kDone);
    EXPECT_TRUE(r.owner.starts_with("lambda/")) << r.owner;
  }
}

TEST_F(LambdaBackfillTest, EveryWorkerEventDeliveredTwiceChangesNothing) {
  constexpr int kItems = 1'500;
  const auto table = dt::seed_numbered_table(*db_, "lambda-backfill", kItems);
  std::atomic<int> calls{0};
  Functions functions(handlers(migrations(table, [&](const Item&) { ++calls; })), 1500ms, 450ms);
  functions.duplicate_workers = true;
  functions.deliver(Json{{"direction", "up"}});
  ASSERT_TRUE(functions.wait_finished(240s));

  EXPECT_EQ(functions.count(functions.coordinator_results, "completed"), 1);
  EXPECT_EQ(functions.count(functions.worker_results, "failed"), 0);
  std::lock_guard guard(mutex_);
  EXPECT_EQ(result_.scanned, kItems);
  EXPECT_EQ(result_.written, kItems);
  EXPECT_EQ(result_.skipped, 0);
  EXPECT_EQ(calls.load(), kItems) << "a duplicate claims only free segments: no page is read twice";
  EXPECT_EQ(dt::items_not_doubled_once(*db_, table, kItems), 0);
}

TEST_F(LambdaBackfillTest, AWorkerKilledMidSegmentHasItsSegmentTakenOverAfterTheLease) {
  constexpr int kItems = 1'500;
  const auto table = dt::seed_numbered_table(*db_, "lambda-backfill", kItems);
  std::mutex seen_mutex;
  std::map<int, int> seen;  // item -> how often fn saw it
  std::atomic<bool> killed{false};
  std::atomic<int> pages{0};
  // The worker that finishes the writes of the job's fifth page dies there, as a killed process
  // would: that page written, its cursor not saved, the segment still held. Counted over the
  // job, not per invocation: with 450 ms deadlines on a busy machine an invocation may get
  // through only a page or two before it hands over.
  const auto kill = [&](int /*segment*/, std::size_t /*page*/) {
    if (++pages == 5 && !killed.exchange(true)) throw std::runtime_error("killed after its page's writes");
  };
  Functions functions(handlers(migrations(table,
                                          [&](const Item& item) {
                                            std::lock_guard guard(seen_mutex);
                                            ++seen[dt::item_number(item)];
                                          }),
                               kill),
                      1500ms, 450ms);
  functions.deliver(Json{{"direction", "up"}});
  ASSERT_TRUE(functions.wait_finished(240s));

  ASSERT_TRUE(killed.load());
  EXPECT_EQ(functions.count(functions.coordinator_results, "completed"), 1);
  EXPECT_EQ(functions.count(functions.worker_results, "failed"), 1) << "the killed worker";
  int twice = 0;
  int calls = 0;
  {
    std::lock_guard guard(seen_mutex);
    EXPECT_EQ(static_cast<int>(seen.size()), kItems) << "every item was processed";
    for (const auto& [n, times] : seen) {
      calls += times;
      twice += times == 2 ? 1 : 0;
      EXPECT_LE(times, 2) << "item " << n;
    }
  }
  // The dead worker's unsaved page (at most one page of 40) is processed again by the next
  // holder, and nothing else is.
  EXPECT_GE(twice, 1);
  EXPECT_LE(twice, 40);
  EXPECT_EQ(calls, kItems + twice);
  std::lock_guard guard(mutex_);
  EXPECT_EQ(result_.scanned, kItems);  // exact: the unsaved page counted once
  EXPECT_EQ(result_.written + result_.skipped, kItems);
  EXPECT_EQ(result_.skipped, twice) << "the re-applied writes find the version they set";
  EXPECT_EQ(result_.failed, 0);
  EXPECT_EQ(dt::items_not_doubled_once(*db_, table, kItems), 0);
  for (const auto& r : store_->segments()->list_segments({kMigration, result_.job_id})) {
    EXPECT_EQ(r.state, SegmentState::kDone) << "segment " << r.segment;
  }
}

TEST(BackfillWorkerEvent, RoundTripsAndRejectsBadFieldsWithAFailedResult) {
  backfill::WorkerEvent e;
  e.migration_id = kMigration;
  e.direction = Direction::kDown;
  e.execution_id = "exec-1";
  e.job_id = "job-1";
  e.name = "backfill";
  e.table = "orders";
  e.worker = 2;
  e.workers = 3;
  const Json wire = backfill::worker_event_json(e);
  EXPECT_EQ(wire["auric"], "backfill-worker");
  const Event parsed = parse_event(wire);
  ASSERT_TRUE(std::holds_alternative<BackfillWorkerEventData>(parsed));
  EXPECT_EQ(std::get<BackfillWorkerEventData>(parsed).worker, e);

  auto rejected = [&](const std::function<void(Json&)>& change) {
    Json bad = wire;
    change(bad);
    const Event event = parse_event(bad);
    if (const auto* invalid = std::get_if<InvalidEvent>(&event)) return invalid->error;
    return std::string();
  };
  EXPECT_NE(rejected([](Json& j) { j["worker"] = 3; }).find("`worker`"), std::string::npos);
  EXPECT_NE(rejected([](Json& j) { j["worker"] = -1; }), "");
  EXPECT_NE(rejected([](Json& j) { j["worker"] = "1"; }), "");
  EXPECT_NE(rejected([](Json& j) { j["workers"] = 0; }).find("`workers`"), std::string::npos);
  EXPECT_NE(rejected([](Json& j) { j["workers"] = 1001; }), "");
  EXPECT_NE(rejected([](Json& j) { j.erase("jobId"); }).find("`jobId`"), std::string::npos);
  EXPECT_NE(rejected([](Json& j) { j["jobId"] = std::string(kMaxIdBytes + 1, 'j'); }).find("jobId"),
            std::string::npos);
  EXPECT_NE(rejected([](Json& j) { j["executionId"] = std::string(kMaxIdBytes + 1, 'x'); }), "");
  EXPECT_NE(rejected([](Json& j) { j["migrationId"] = 7; }), "");
  EXPECT_NE(rejected([](Json& j) { j["direction"] = "sideways"; }).find("`direction`"), std::string::npos);
  EXPECT_NE(rejected([](Json& j) { j["table"] = ""; }), "");
  EXPECT_NE(rejected([](Json& j) { j["name"] = std::string(256, 'n'); }), "");
  EXPECT_NE(rejected([](Json& j) { j["auric"] = "something-else"; }).find("Unknown auric event"),
            std::string::npos);

  // Through the handler: the documented failed result, nothing run.
  auto store = open_store("memory:");
  RunnerOptions base;
  base.capture_stdio = false;
  EventHandler handler(*store, {}, base, HandlerSettings{}, nullptr, nullptr);
  handler.set_log([](const std::string&) {});
  Json bad = wire;
  bad["workers"] = "three";
  const Json answer = handler.handle(bad, InvocationInfo{"req-1", 0, ""});
  EXPECT_EQ(answer["status"], "failed");
  EXPECT_NE(answer["error"].get<std::string>().find("Invalid backfill-worker event"), std::string::npos);
  // A valid event for a migration this binary does not have.
  const Json unknown = handler.handle(wire, InvocationInfo{"req-2", 0, ""});
  EXPECT_EQ(unknown["status"], "failed");
  EXPECT_NE(unknown["error"].get<std::string>().find("unknown migration"), std::string::npos);
}

}  // namespace
}  // namespace auric::lambda::testing
