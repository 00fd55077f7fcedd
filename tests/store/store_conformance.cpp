// The Store contract (src/core/store.hpp), method by method. Every backend instantiates this
// suite; see store_conformance.hpp.
#include "store/store_conformance.hpp"

#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/record_fields.hpp"

namespace auric::store_testing {
namespace {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

constexpr std::int64_t kNow = 1'700'000'000'000;  // epoch ms
constexpr std::int64_t kTtl = 60'000;

// ---- Sample records: every field set to a value distinct from its default ------------------

Who sample_who(const std::string& tag) {
  Who who;
  who.user = "user-" + tag;
  who.host = "host-" + tag + ".example.com";
  who.pid = 424242;
  who.aws_principal = "arn:aws:sts::123456789012:assumed-role/deployer/" + tag;
  who.lambda_request_id = "req-" + tag;
  who.ecs_task_arn = "arn:aws:ecs:eu-west-1:123456789012:task/cluster/" + tag;
  who.boot_id = "boot-" + tag;
  return who;
}

// Exercises every JSON type, integers beyond 2^53, exact doubles and non-ASCII text.
Json sample_json() {
  return Json{{"cursor", "k-\xF0\x9F\x98\x80-\xC3\xA9"},  // emoji and é
              {"big", 9007199254740993LL},
              {"negative", -12},
              {"pi", 3.141592653589793},
              {"flag", true},
              {"none", nullptr},
              {"empty_object", Json::object()},
              {"empty_array", Json::array()},
              {"nested", {{"list", {1, "two", {{"three", 3}}}}}}};
}

CurrentRun sample_current(const std::string& migration_id) {
  CurrentRun current;
  current.migration_id = migration_id;
  current.run_id = "run-of-" + migration_id;
  current.execution_id = "exec-current";
  current.direction = Direction::kDown;
  current.started_at = kNow + 17;
  current.hop = 3;
  current.progress = sample_json();
  return current;
}

MigrationState sample_state(const std::string& id, std::int64_t fence) {
  MigrationState state;
  state.id = id;
  state.status = RunStatus::kFailed;
  state.direction = Direction::kDown;
  state.applied = true;
  state.checksum = "sha256:" + std::string(64, 'a');
  state.last_run_id = "run-" + id;
  state.last_execution_id = "exec-" + id;
  state.started_at = kNow + 1;
  state.completed_at = kNow + 2001;
  state.duration_ms = 2000;
  state.applied_at = kNow - 5000;
  state.applied_fence = fence - 1;
  state.error = "boom: \xE2\x9C\x97 failed";  // ✗
  state.output_truncated = true;
  state.progress = sample_json();
  state.fence = fence;
  return state;
}

RunRecord sample_run(const std::string& id, const std::string& run_id, std::int64_t started_at,
                     const std::string& execution_id = "exec-1") {
  RunRecord run;
  run.run_id = run_id;
  run.id = id;
  run.name = "name of " + id;
  run.status = RunStatus::kCompleted;
  run.direction = Direction::kUp;
  run.execution_id = execution_id;
  run.started_at = started_at;
  run.completed_at = started_at + 1500;
  run.duration_ms = 1500;
  run.description = "Adds the \xE2\x80\x9Corders\xE2\x80\x9D index";  // “orders”
  run.output =
      "[2025-06-01T12:00:00.123Z] [info] h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C "
      "\xF0\x9F\x9A\x80\n\tindented line\n";  // héllo 世界 🚀
  run.output_truncated = true;
  run.result = sample_json();
  run.error = "line 1\nline 2";
  run.checksum = "sha256:" + std::string(64, 'b');
  run.hop = 2;
  run.who = sample_who(run_id);
  run.description_truncated = true;
  run.result_truncated = true;
  run.error_truncated = true;
  run.fence = 3;
  run.updated_at = started_at + 1400;
  run.kind = RunKind::kManual;
  run.reason = "adopted the \xE2\x80\x9Clegacy\xE2\x80\x9D database";  // “legacy”
  run.progress = Json{{"done", 1200}, {"total", 5000}, {"unit", "items"}, {"updatedAt", started_at}};
  return run;
}

// A run with every optional unset and every flag false.
RunRecord minimal_run(const std::string& id, const std::string& run_id, std::int64_t started_at) {
  RunRecord run;
  run.run_id = run_id;
  run.id = id;
  run.execution_id = "exec-min";
  run.started_at = started_at;
  return run;
}

ExecutionRecord sample_execution(const std::string& execution_id, std::int64_t started_at,
                                 std::int64_t fence = 1) {
  ExecutionRecord execution;
  execution.execution_id = execution_id;
  execution.direction = Direction::kDown;
  execution.target = "20250101000000_target";
  execution.status = ExecutionStatus::kNeedsContinuation;
  execution.who = sample_who(execution_id);
  execution.started_at = started_at;
  execution.completed_at = started_at + 99;
  execution.hop = 0;
  execution.planned = {"20250101000000_a", "20250102000000_b", "20250103000000_c"};
  execution.finished = {"20250101000000_a"};
  execution.error = "stopped";
  execution.fence = fence;
  execution.kind = RunKind::kManual;
  execution.reason = "ticket OPS-12";
  return execution;
}

LockRequest lock_request(const std::string& owner, std::int64_t now_ms,
                         const std::string& execution_id = "exec-1") {
  LockRequest request;
  request.owner = owner;
  request.execution_id = execution_id;
  request.who = sample_who(owner);
  request.now_ms = now_ms;
  request.ttl_ms = kTtl;
  return request;
}

// The lock as `request` leaves it once granted with `fence`, `current` kept from before.
LockInfo lease_of(const LockRequest& request, std::int64_t fence, const std::optional<CurrentRun>& current) {
  return LockInfo{.owner = request.owner,
                  .fence = fence,
                  .acquired_at = request.now_ms,
                  .expires_at = request.now_ms + request.ttl_ms,
                  .heartbeat_at = request.now_ms,
                  .execution_id = request.execution_id,
                  .who = request.who,
                  .current = current};
}

// ---- Field-by-field comparison with readable failures ----------------------------------------

std::string printable(const Json& value) {
  return value.dump();
}
std::string printable(RunStatus value) {
  return std::string(to_string(value));
}
std::string printable(ExecutionStatus value) {
  return std::string(to_string(value));
}
std::string printable(Direction value) {
  return std::string(to_string(value));
}
template <class T>
std::string printable(const T& value) {
  return ::testing::PrintToString(value);
}

class Diff {
 public:
  template <class T>
  void field(const std::string& name, const T& expected, const T& actual) {
    if constexpr (std::is_same_v<T, Who>) {
      fields(name + ".", record_fields::kWhoFields, expected, actual);
    } else if (!equal(expected, actual)) {
      text_ += "\n  " + name + ": expected " + printable(expected) + ", got " + printable(actual);
    }
  }
  // Every field of a record's table (core/record_fields.hpp): a field added to a table is
  // compared by every test at once.
  template <class Record, class Fields>
  void fields(const std::string& prefix, const Fields& table, const Record& expected, const Record& actual) {
    record_fields::for_each_field(table, [&](const auto& f) {
      field(prefix + std::string(f.store), expected.*f.member, actual.*f.member);
    });
  }
  void current(const std::string& name, const std::optional<CurrentRun>& expected,
               const std::optional<CurrentRun>& actual) {
    field(name + ".has_value", expected.has_value(), actual.has_value());
    if (!expected || !actual) return;
    fields(name + ".", record_fields::kCurrentRunFields, *expected, *actual);
  }
  AssertionResult result(const std::string& what) const {
    if (text_.empty()) return AssertionSuccess();
    return AssertionFailure() << what << " differs:" << text_;
  }

 private:
  template <class T>
  static bool equal(const T& expected, const T& actual) {
    if constexpr (std::is_same_v<T, Json>) {
      return expected == actual && expected.dump() == actual.dump();
    } else {
      return expected == actual;
    }
  }
  std::string text_;
};

AssertionResult same_state(const MigrationState& e, const MigrationState& a) {
  Diff d;
  d.fields("", record_fields::kStateFields, e, a);
  return d.result("state " + e.id);
}

AssertionResult same_run(const RunRecord& e, const RunRecord& a) {
  Diff d;
  d.fields("", record_fields::kRunFields, e, a);
  return d.result("run " + e.run_id);
}

AssertionResult same_execution(const ExecutionRecord& e, const ExecutionRecord& a) {
  Diff d;
  d.fields("", record_fields::kExecutionFields, e, a);
  return d.result("execution " + e.execution_id);
}

AssertionResult same_lock(const LockInfo& e, const LockInfo& a) {
  Diff d;
  d.fields("", record_fields::kLockFields, e, a);
  d.current("current", e.current, a.current);
  return d.result("lock");
}

AssertionResult same_current(const CurrentRun& e, const CurrentRun& a) {
  Diff d;
  d.fields("", record_fields::kCurrentRunFields, e, a);
  return d.result("current run");
}

// The fields of `record` that still hold the value a default-constructed record has (Who's
// fields one by one). A round trip of a record with none of them tests every field.
template <class Record, class Fields>
std::vector<std::string> unset_fields(const Fields& table, const Record& record,
                                      const std::string& prefix = "") {
  std::vector<std::string> unset;
  const Record defaults{};
  record_fields::for_each_field(table, [&](const auto& f) {
    const auto& value = record.*f.member;
    if constexpr (std::is_same_v<std::decay_t<decltype(value)>, Who>) {
      for (auto& name : unset_fields(record_fields::kWhoFields, value, prefix + std::string(f.store) + ".")) {
        unset.push_back(std::move(name));
      }
    } else if (value == defaults.*f.member) {
      unset.push_back(prefix + std::string(f.store));
    }
  });
  return unset;
}

std::vector<std::string> run_ids(const std::vector<RunRecord>& runs) {
  std::vector<std::string> ids;
  for (const auto& run : runs) ids.push_back(run.run_id);
  return ids;
}

std::vector<std::string> execution_ids(const std::vector<ExecutionRecord>& executions) {
  std::vector<std::string> ids;
  for (const auto& execution : executions) ids.push_back(execution.execution_id);
  return ids;
}

std::string padded(int i) {
  std::string text = std::to_string(i);
  return std::string(3 - std::min<std::size_t>(3, text.size()), '0') + text;
}

// ---- Lock --------------------------------------------------------------------------------------

TEST_P(StoreConformance, FreshStoreHasNoLock) {
  EXPECT_FALSE(store().read_lock().has_value());
  EXPECT_FALSE(store().force_unlock().has_value());
  EXPECT_FALSE(store().read_lock().has_value()) << "force_unlock must not create a lock";
  EXPECT_EQ(store().renew_lock("a", 1, kNow, kNow + kTtl), WriteOutcome::kFenced);
  EXPECT_EQ(store().set_current_run("a", 1, sample_current("m"), kNow + kTtl), WriteOutcome::kFenced);
  EXPECT_EQ(store().release_lock("a", 1), WriteOutcome::kFenced);
  EXPECT_FALSE(store().read_lock().has_value());
}

TEST_P(StoreConformance, InitIsIdempotentAndKeepsData) {
  ASSERT_EQ(store().put_state(sample_state("m1", 1)), WriteOutcome::kOk);
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow)).acquired);
  EXPECT_EQ(store().init(), InitOutcome::kFound) << "the suite initialised the store already";
  EXPECT_EQ(store().init(), InitOutcome::kFound);
  EXPECT_EQ(store().list_states().size(), 1u);
  ASSERT_TRUE(store().read_lock().has_value());
  EXPECT_EQ(store().read_lock()->owner, "a");
  EXPECT_FALSE(store().describe().empty());
}

TEST_P(StoreConformance, AcquireFreeLockStartsFenceAtOneAndStoresEveryField) {
  const auto request = lock_request("owner-a", kNow, "exec-a");
  const auto attempt = store().try_acquire_lock(request);
  ASSERT_TRUE(attempt.acquired);
  EXPECT_EQ(attempt.fence, 1);
  EXPECT_FALSE(attempt.previous.has_value()) << "there was never a lock";

  LockInfo expected;
  expected.owner = "owner-a";
  expected.fence = 1;
  expected.acquired_at = kNow;
  expected.heartbeat_at = kNow;
  expected.expires_at = kNow + kTtl;
  expected.execution_id = "exec-a";
  expected.who = request.who;
  const auto lock = store().read_lock();
  ASSERT_TRUE(lock.has_value());
  EXPECT_TRUE(same_lock(expected, *lock));
  EXPECT_TRUE(lock->held_at(kNow));
}

TEST_P(StoreConformance, AcquireHeldLockFailsAndReportsHolder) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow, "exec-a")).acquired);
  const auto before = store().read_lock();

  const auto attempt = store().try_acquire_lock(lock_request("b", kNow + kTtl - 1, "exec-b"));
  EXPECT_FALSE(attempt.acquired);
  ASSERT_TRUE(attempt.previous.has_value());
  EXPECT_EQ(attempt.previous->owner, "a");
  EXPECT_EQ(attempt.previous->fence, 1);
  EXPECT_EQ(attempt.previous->execution_id, "exec-a");
  EXPECT_EQ(attempt.previous->expires_at, kNow + kTtl);

  const auto after = store().read_lock();
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(same_lock(*before, *after)) << "a failed attempt must change nothing";
}

TEST_P(StoreConformance, LeaseMayBeTakenOverExactlyAtExpiry) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow)).acquired);
  EXPECT_FALSE(store().try_acquire_lock(lock_request("b", kNow + kTtl - 1)).acquired);
  const auto attempt = store().try_acquire_lock(lock_request("b", kNow + kTtl));
  ASSERT_TRUE(attempt.acquired) << "expires_at <= now means expired";
  EXPECT_EQ(attempt.fence, 2);
  ASSERT_TRUE(attempt.previous.has_value());
  EXPECT_EQ(attempt.previous->owner, "a");
  EXPECT_EQ(attempt.previous->fence, 1);
  EXPECT_EQ(store().read_lock()->owner, "b");
  EXPECT_EQ(store().read_lock()->acquired_at, kNow + kTtl);
}

TEST_P(StoreConformance, TakeoverOfExpiredLeaseKeepsCurrentRunAndReturnsPrevious) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow, "exec-a")).acquired);
  const auto current = sample_current("20250101000000_a");
  ASSERT_EQ(store().set_current_run("a", 1, current, kNow + kTtl), WriteOutcome::kOk);

  // "a" dies; "b" arrives after the lease expired.
  const auto request = lock_request("b", kNow + 10 * kTtl, "exec-b");
  const auto attempt = store().try_acquire_lock(request);
  ASSERT_TRUE(attempt.acquired);
  EXPECT_EQ(attempt.fence, 2);
  ASSERT_TRUE(attempt.previous.has_value());
  EXPECT_EQ(attempt.previous->owner, "a");
  EXPECT_EQ(attempt.previous->fence, 1);
  EXPECT_EQ(attempt.previous->execution_id, "exec-a");
  EXPECT_TRUE(same_lock(lease_of(lock_request("a", kNow, "exec-a"), 1, current), *attempt.previous));

  EXPECT_TRUE(same_lock(lease_of(request, 2, current), *store().read_lock()))
      << "`current` must be kept on takeover";

  // The new holder clears it once it has recovered the interrupted work.
  ASSERT_EQ(store().set_current_run("b", 2, std::nullopt, request.now_ms + kTtl), WriteOutcome::kOk);
  EXPECT_FALSE(store().read_lock()->current.has_value());
}

TEST_P(StoreConformance, SameOwnerReacquiresWithNewFence) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow)).acquired);
  const auto again = store().try_acquire_lock(lock_request("a", kNow + 5));
  ASSERT_TRUE(again.acquired);
  EXPECT_EQ(again.fence, 2);
  ASSERT_TRUE(again.previous.has_value());
  EXPECT_EQ(again.previous->owner, "a");
  EXPECT_EQ(again.previous->fence, 1);
  EXPECT_EQ(store().read_lock()->expires_at, kNow + 5 + kTtl);
  EXPECT_EQ(store().renew_lock("a", 1, kNow + 6, kNow + kTtl), WriteOutcome::kFenced)
      << "the old fence is dead even for the same owner";
}

TEST_P(StoreConformance, ReenterExecutionTakesOverOnlyTheSameExecution) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("hop0", kNow, "exec-x")).acquired);
  const auto current = sample_current("m");
  ASSERT_EQ(store().set_current_run("hop0", 1, current, kNow + kTtl), WriteOutcome::kOk);

  auto other_execution = lock_request("hop1", kNow + 1, "exec-y");
  other_execution.reenter_execution = true;
  EXPECT_FALSE(store().try_acquire_lock(other_execution).acquired);

  auto without_flag = lock_request("hop1", kNow + 1, "exec-x");
  EXPECT_FALSE(store().try_acquire_lock(without_flag).acquired);

  auto reenter = lock_request("hop1", kNow + 1, "exec-x");
  reenter.reenter_execution = true;
  const auto attempt = store().try_acquire_lock(reenter);
  ASSERT_TRUE(attempt.acquired);
  EXPECT_EQ(attempt.fence, 2);
  ASSERT_TRUE(attempt.previous.has_value());
  EXPECT_EQ(attempt.previous->owner, "hop0");
  const auto lock = store().read_lock();
  EXPECT_EQ(lock->owner, "hop1");
  EXPECT_EQ(lock->execution_id, "exec-x");
  EXPECT_TRUE(same_lock(lease_of(reenter, 2, current), *lock));
  EXPECT_EQ(store().renew_lock("hop0", 1, kNow + 2, kNow + kTtl), WriteOutcome::kFenced);
}

TEST_P(StoreConformance, TakeOverDeadTakesAnUnexpiredLeaseOnlyFromExactlyThatHolder) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("dead", kNow, "exec-dead")).acquired);
  const auto current = sample_current("20250101000000_a");
  ASSERT_EQ(store().set_current_run("dead", 1, current, kNow + kTtl), WriteOutcome::kOk);

  // Well inside the lease: only the exact owner + fence the caller found dead will do.
  auto request = lock_request("next", kNow + 1, "exec-next");
  EXPECT_FALSE(store().try_acquire_lock(request).acquired);
  for (const auto& wrong : {LockRequest::DeadHolder{"dead", 2}, LockRequest::DeadHolder{"dead", 0},
                            LockRequest::DeadHolder{"other", 1}, LockRequest::DeadHolder{"", 1}}) {
    request.take_over_dead = wrong;
    const auto attempt = store().try_acquire_lock(request);
    EXPECT_FALSE(attempt.acquired) << wrong.owner << "/" << wrong.fence;
    ASSERT_TRUE(attempt.previous.has_value());
    EXPECT_EQ(attempt.previous->owner, "dead") << "a failed attempt reports the holder";
  }
  EXPECT_EQ(store().read_lock()->fence, 1) << "failed attempts change nothing";

  request.take_over_dead = LockRequest::DeadHolder{"dead", 1};
  const auto attempt = store().try_acquire_lock(request);
  ASSERT_TRUE(attempt.acquired);
  EXPECT_EQ(attempt.fence, 2);
  ASSERT_TRUE(attempt.previous.has_value());
  EXPECT_TRUE(same_lock(lease_of(lock_request("dead", kNow, "exec-dead"), 1, current), *attempt.previous));
  EXPECT_TRUE(same_lock(lease_of(request, 2, current), *store().read_lock()))
      << "`current` is kept, as on any takeover";
  EXPECT_EQ(store().renew_lock("dead", 1, kNow + 2, kNow + kTtl), WriteOutcome::kFenced);

  // Someone else holds it now: the same dead holder cannot be taken over again.
  auto late = lock_request("late", kNow + 2, "exec-late");
  late.take_over_dead = LockRequest::DeadHolder{"dead", 1};
  const auto again = store().try_acquire_lock(late);
  EXPECT_FALSE(again.acquired);
  ASSERT_TRUE(again.previous.has_value());
  EXPECT_EQ(again.previous->owner, "next");
  EXPECT_EQ(store().read_lock()->fence, 2);
}

TEST_P(StoreConformance, TakeOverDeadFailsOnceTheHolderTookANewLease) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow)).acquired);
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow + 1)).acquired) << "same owner, fence 2";
  auto request = lock_request("b", kNow + 2);
  request.take_over_dead = LockRequest::DeadHolder{"a", 1};
  EXPECT_FALSE(store().try_acquire_lock(request).acquired) << "the holder found dead was fence 1";
  EXPECT_EQ(store().read_lock()->owner, "a");

  // With several racing for the same dead holder, exactly one wins.
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  std::latch start(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto racer = lock_request("racer-" + std::to_string(t), kNow + 3);
      racer.take_over_dead = LockRequest::DeadHolder{"a", 2};
      start.arrive_and_wait();
      if (store().try_acquire_lock(racer).acquired) ++winners;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(store().read_lock()->fence, 3);
}

// One field set at a time (the rest default): a value stored in another field's place cannot
// go unnoticed, nor can two flags swapped. For each field of `table`, `blank(i)` gives a
// record of its own (a key of its own), which gets that one field of `full` and goes to
// `round_trip(record, field name)` to be written, read back and compared.
template <class Record, class Fields, class Blank, class RoundTrip>
void each_field_alone(const Fields& table, const Record& full, Blank blank, RoundTrip round_trip) {
  int i = 0;
  record_fields::for_each_field(table, [&](const auto& f) {
    Record alone = blank(i++);
    alone.*f.member = full.*f.member;
    round_trip(alone, std::string(f.store));
  });
}

TEST_P(StoreConformance, CurrentRunFieldsEachRoundTripAlone) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow)).acquired);
  const CurrentRun full = sample_current("20250101000000_a");
  EXPECT_THAT(unset_fields(record_fields::kCurrentRunFields, full), IsEmpty());
  ASSERT_EQ(store().set_current_run("a", 1, full, kNow + kTtl), WriteOutcome::kOk);
  EXPECT_TRUE(same_current(full, *store().read_lock()->current));
  each_field_alone(
      record_fields::kCurrentRunFields, full, [](int) { return CurrentRun{}; },
      [&](const CurrentRun& alone, const std::string& field) {
        ASSERT_EQ(store().set_current_run("a", 1, alone, kNow + kTtl), WriteOutcome::kOk);
        const auto lock = store().read_lock();
        ASSERT_TRUE(lock->current.has_value());
        EXPECT_TRUE(same_current(alone, *lock->current)) << "only " << field << " set";
      });
}

TEST_P(StoreConformance, FenceGrowsByOnePerAcquisitionAndNeverDecreases) {
  std::int64_t now = kNow;
  std::int64_t expected_fence = 0;
  const auto acquire = [&](const std::string& owner) {
    const auto attempt = store().try_acquire_lock(lock_request(owner, now));
    EXPECT_TRUE(attempt.acquired) << owner;
    EXPECT_EQ(attempt.fence, ++expected_fence) << owner;
    EXPECT_EQ(store().read_lock()->fence, expected_fence);
    return attempt.fence;
  };

  auto fence = acquire("a");
  ASSERT_EQ(store().release_lock("a", fence), WriteOutcome::kOk);
  EXPECT_EQ(store().read_lock()->fence, expected_fence) << "release keeps the fence";

  fence = acquire("b");
  const auto forced = store().force_unlock();
  ASSERT_TRUE(forced.has_value());
  EXPECT_EQ(forced->fence, fence);
  EXPECT_EQ(store().read_lock()->fence, expected_fence) << "force_unlock keeps the fence";

  fence = acquire("c");
  fence = acquire("c");  // re-acquire by the same owner
  now += 2 * kTtl;       // expire
  fence = acquire("d");
  ASSERT_EQ(store().release_lock("d", fence), WriteOutcome::kOk);
  fence = acquire("a");
  EXPECT_EQ(fence, 6);
}

TEST_P(StoreConformance, RenewLockExtendsOnlyTheCurrentLease) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow)).acquired);

  EXPECT_EQ(store().renew_lock("a", 1, kNow + 15'000, kNow + 75'000), WriteOutcome::kOk);
  auto lock = store().read_lock();
  EXPECT_EQ(lock->expires_at, kNow + 75'000);
  EXPECT_EQ(lock->heartbeat_at, kNow + 15'000);
  EXPECT_EQ(lock->acquired_at, kNow);
  EXPECT_EQ(lock->fence, 1);

  EXPECT_EQ(store().renew_lock("a", 2, kNow + 16'000, kNow + 99'000), WriteOutcome::kFenced);
  EXPECT_EQ(store().renew_lock("b", 1, kNow + 16'000, kNow + 99'000), WriteOutcome::kFenced);
  EXPECT_EQ(store().read_lock()->expires_at, kNow + 75'000) << "a fenced renew changes nothing";

  // Past expiry but not taken over: the owner may still renew.
  EXPECT_EQ(store().renew_lock("a", 1, kNow + 80'000, kNow + 140'000), WriteOutcome::kOk);
  EXPECT_EQ(store().read_lock()->expires_at, kNow + 140'000);

  // Taken over: the old holder is fenced and cannot touch the new lease.
  ASSERT_TRUE(store().try_acquire_lock(lock_request("b", kNow + 140'000)).acquired);
  EXPECT_EQ(store().renew_lock("a", 1, kNow + 141'000, kNow + 999'000), WriteOutcome::kFenced);
  lock = store().read_lock();
  EXPECT_EQ(lock->owner, "b");
  EXPECT_EQ(lock->expires_at, kNow + 140'000 + kTtl);
  EXPECT_EQ(lock->heartbeat_at, kNow + 140'000);
}

TEST_P(StoreConformance, SetCurrentRunIsFencedAfterTakeover) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow)).acquired);
  const auto current = sample_current("20250101000000_a");
  ASSERT_EQ(store().set_current_run("a", 1, current, kNow + 90'000), WriteOutcome::kOk);
  auto lock = store().read_lock();
  ASSERT_TRUE(lock->current.has_value());
  Diff diff;
  diff.current("current", current, lock->current);
  EXPECT_TRUE(diff.result("current run"));
  EXPECT_EQ(lock->expires_at, kNow + 90'000);
  EXPECT_EQ(lock->heartbeat_at, kNow) << "set_current_run has no clock: heartbeat_at unchanged";

  ASSERT_EQ(store().set_current_run("a", 1, std::nullopt, kNow + 91'000), WriteOutcome::kOk);
  EXPECT_FALSE(store().read_lock()->current.has_value());
  ASSERT_EQ(store().set_current_run("a", 1, current, kNow + 92'000), WriteOutcome::kOk);

  ASSERT_TRUE(store().try_acquire_lock(lock_request("b", kNow + 92'000)).acquired);
  auto replacement = sample_current("20250102000000_b");
  EXPECT_EQ(store().set_current_run("a", 1, replacement, kNow + 999'000), WriteOutcome::kFenced);
  EXPECT_EQ(store().set_current_run("a", 1, std::nullopt, kNow + 999'000), WriteOutcome::kFenced);
  lock = store().read_lock();
  ASSERT_TRUE(lock->current.has_value()) << "a fenced write must not clear current";
  EXPECT_EQ(lock->current->migration_id, "20250101000000_a");
  EXPECT_EQ(lock->expires_at, kNow + 92'000 + kTtl);
}

TEST_P(StoreConformance, ReleaseLockFreesItKeepingTheFence) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow)).acquired);
  ASSERT_EQ(store().set_current_run("a", 1, sample_current("m"), kNow + kTtl), WriteOutcome::kOk);

  EXPECT_EQ(store().release_lock("a", 2), WriteOutcome::kFenced);
  EXPECT_EQ(store().release_lock("b", 1), WriteOutcome::kFenced);
  EXPECT_EQ(store().read_lock()->owner, "a") << "a fenced release changes nothing";
  EXPECT_TRUE(store().read_lock()->current.has_value());

  EXPECT_EQ(store().release_lock("a", 1), WriteOutcome::kOk);
  const auto lock = store().read_lock();
  ASSERT_TRUE(lock.has_value());
  EXPECT_EQ(lock->owner, "");
  EXPECT_EQ(lock->expires_at, 0);
  EXPECT_FALSE(lock->current.has_value());
  EXPECT_EQ(lock->fence, 1);
  EXPECT_FALSE(lock->held_at(kNow));

  EXPECT_EQ(store().release_lock("a", 1), WriteOutcome::kFenced) << "already released";
  EXPECT_EQ(store().renew_lock("a", 1, kNow, kNow + kTtl), WriteOutcome::kFenced);
  EXPECT_EQ(store().set_current_run("a", 1, std::nullopt, kNow + kTtl), WriteOutcome::kFenced);

  const auto next = store().try_acquire_lock(lock_request("b", kNow + 1));
  ASSERT_TRUE(next.acquired) << "a released lock is free before its old expiry";
  EXPECT_EQ(next.fence, 2);
  ASSERT_TRUE(next.previous.has_value());
  EXPECT_EQ(next.previous->owner, "");
  EXPECT_FALSE(next.previous->current.has_value());
}

TEST_P(StoreConformance, ForceUnlockFreesWhoeverHoldsItKeepingCurrentAndFence) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow, "exec-a")).acquired);
  const auto current = sample_current("20250101000000_a");
  ASSERT_EQ(store().set_current_run("a", 1, current, kNow + kTtl), WriteOutcome::kOk);
  const auto held = store().read_lock();

  const auto before = store().force_unlock();
  ASSERT_TRUE(before.has_value());
  EXPECT_TRUE(same_lock(*held, *before)) << "force_unlock returns the lock as it was";

  const auto after = store().read_lock();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->owner, "");
  EXPECT_EQ(after->expires_at, 0);
  EXPECT_EQ(after->fence, 1);
  ASSERT_TRUE(after->current.has_value()) << "current is kept for recovery";
  EXPECT_EQ(after->current->run_id, current.run_id);

  EXPECT_EQ(store().renew_lock("a", 1, kNow + 1, kNow + kTtl), WriteOutcome::kFenced);
  EXPECT_EQ(store().release_lock("a", 1), WriteOutcome::kFenced);

  // Forcing a free lock is harmless and still reports it.
  const auto again = store().force_unlock();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->owner, "");
  EXPECT_EQ(again->fence, 1);

  const auto next = store().try_acquire_lock(lock_request("b", kNow + 2));
  ASSERT_TRUE(next.acquired);
  EXPECT_EQ(next.fence, 2);
  ASSERT_TRUE(next.previous->current.has_value());
  EXPECT_EQ(next.previous->current->run_id, current.run_id);
}

TEST_P(StoreConformance, ReadLockIsStronglyConsistentAcrossHandles) {
  auto other = open_another();
  ASSERT_NE(other, nullptr);
  EXPECT_FALSE(other->read_lock().has_value());

  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow)).acquired);
  auto seen = other->read_lock();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->owner, "a");
  EXPECT_EQ(seen->fence, 1);

  ASSERT_EQ(other->renew_lock("a", 1, kNow + 5, kNow + 123'456), WriteOutcome::kOk);
  EXPECT_EQ(store().read_lock()->expires_at, kNow + 123'456);

  EXPECT_FALSE(other->try_acquire_lock(lock_request("b", kNow + 6)).acquired);
  ASSERT_EQ(store().release_lock("a", 1), WriteOutcome::kOk);
  const auto attempt = other->try_acquire_lock(lock_request("b", kNow + 7));
  ASSERT_TRUE(attempt.acquired);
  EXPECT_EQ(attempt.fence, 2);
  EXPECT_EQ(store().read_lock()->owner, "b");

  ASSERT_EQ(store().put_state(sample_state("m1", 2)), WriteOutcome::kOk);
  ASSERT_TRUE(other->get_state("m1").has_value());
  EXPECT_EQ(other->list_states().size(), 1u);
}

TEST_P(StoreConformance, RacingAcquirersFromThreadsExactlyOneWins) {
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> winners{0};
  std::vector<std::int64_t> fences(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      const auto attempt = store().try_acquire_lock(lock_request("runner-" + std::to_string(i), kNow));
      if (attempt.acquired) {
        ++winners;
        fences[static_cast<std::size_t>(i)] = attempt.fence;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(*std::max_element(fences.begin(), fences.end()), 1);
  EXPECT_EQ(store().read_lock()->fence, 1);
}

TEST_P(StoreConformance, HeartbeatRenewsWhileMainThreadWrites) {
  ASSERT_TRUE(store().try_acquire_lock(lock_request("a", kNow)).acquired);
  std::atomic<bool> stop{false};
  std::atomic<int> renew_failures{0};
  std::atomic<int> renewals{0};
  std::thread heartbeat([&] {
    std::int64_t t = kNow;
    while (!stop.load()) {
      ++t;
      if (store().renew_lock("a", 1, t, t + kTtl) != WriteOutcome::kOk) ++renew_failures;
      ++renewals;
    }
  });
  for (int i = 0; i < 20; ++i) {
    const auto id = "m" + padded(i);
    EXPECT_EQ(store().set_current_run("a", 1, sample_current(id), kNow + 10 * kTtl), WriteOutcome::kOk);
    EXPECT_EQ(store().put_state(sample_state(id, 1)), WriteOutcome::kOk);
    EXPECT_EQ(store().put_run(sample_run(id, "run-" + id, kNow + i)), WriteOutcome::kOk);
  }
  while (renewals.load() < 3) std::this_thread::yield();
  stop = true;
  heartbeat.join();
  EXPECT_EQ(renew_failures.load(), 0);
  EXPECT_EQ(store().list_states().size(), 20u);
  EXPECT_EQ(store().read_lock()->owner, "a");
  EXPECT_EQ(store().read_lock()->fence, 1);
}

// ---- Migration states ----------------------------------------------------------------------------

TEST_P(StoreConformance, StatesAreListedSortedById) {
  EXPECT_TRUE(store().list_states().empty());
  const std::vector<std::string> ids = {"20250301000000_c", "20250101000000_a", "20250201000000_b",
                                        "20250101000000_a-2", "20250101000000_Z"};
  for (const auto& id : ids) ASSERT_EQ(store().put_state(sample_state(id, 1)), WriteOutcome::kOk);
  std::vector<std::string> listed;
  for (const auto& state : store().list_states()) listed.push_back(state.id);
  EXPECT_THAT(listed, ElementsAre("20250101000000_Z", "20250101000000_a", "20250101000000_a-2",
                                  "20250201000000_b", "20250301000000_c"));
}

TEST_P(StoreConformance, StateRoundTripsEveryField) {
  const auto full = sample_state("20250101000000_full", 7);
  EXPECT_THAT(unset_fields(record_fields::kStateFields, full), IsEmpty()) << "the sample sets every field";
  MigrationState minimal;
  minimal.id = "20250101000000_minimal";
  ASSERT_EQ(store().put_state(full), WriteOutcome::kOk);
  ASSERT_EQ(store().put_state(minimal), WriteOutcome::kOk);

  const auto got_full = store().get_state(full.id);
  ASSERT_TRUE(got_full.has_value());
  EXPECT_TRUE(same_state(full, *got_full));
  const auto got_minimal = store().get_state(minimal.id);
  ASSERT_TRUE(got_minimal.has_value());
  EXPECT_TRUE(same_state(minimal, *got_minimal));
  EXPECT_TRUE(got_minimal->progress.is_null());
  EXPECT_FALSE(got_minimal->completed_at.has_value());
  EXPECT_FALSE(got_minimal->duration_ms.has_value());
  EXPECT_FALSE(got_minimal->applied_at.has_value());

  const auto listed = store().list_states();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_TRUE(same_state(full, listed[0]));
  EXPECT_TRUE(same_state(minimal, listed[1]));

  EXPECT_FALSE(store().get_state("20250101000000_absent").has_value());
}

TEST_P(StoreConformance, StateFieldsEachRoundTripAlone) {
  each_field_alone(
      record_fields::kStateFields, sample_state("20250101000000_full", 7),
      [](int i) { return MigrationState{.id = "20250101000000_alone-" + padded(i)}; },
      [&](const MigrationState& alone, const std::string& field) {
        ASSERT_EQ(store().put_state(alone), WriteOutcome::kOk) << field;
        const auto got = store().get_state(alone.id);
        ASSERT_TRUE(got.has_value()) << field;
        EXPECT_TRUE(same_state(alone, *got)) << "only " << field << " set";
      });
}

TEST_P(StoreConformance, StatusRoundTripsForEveryValue) {
  int i = 0;
  for (const auto status : {RunStatus::kRunning, RunStatus::kCompleted, RunStatus::kFailed,
                            RunStatus::kInterrupted, RunStatus::kSuspended}) {
    for (const auto direction : {Direction::kUp, Direction::kDown}) {
      auto run = sample_run("m-runs", "run-" + padded(i), kNow + i);
      run.status = status;
      run.direction = direction;
      ASSERT_EQ(store().put_run(run), WriteOutcome::kOk);
      auto state = sample_state("m" + padded(i++), 1);
      state.status = status;
      state.direction = direction;
      state.applied = direction == Direction::kUp;
      ASSERT_EQ(store().put_state(state), WriteOutcome::kOk);
      const auto got = store().get_state(state.id);
      ASSERT_TRUE(got.has_value());
      EXPECT_TRUE(same_state(state, *got));
      const auto runs = store().runs_of_migration("m-runs", 1, "");
      ASSERT_EQ(runs.items.size(), 1u);
      EXPECT_TRUE(same_run(run, runs.items[0]));
    }
  }
}

TEST_P(StoreConformance, PutStateIsFencedByNewerWriters) {
  auto state = sample_state("m1", 5);
  ASSERT_EQ(store().put_state(state), WriteOutcome::kOk);

  auto stale = sample_state("m1", 4);
  stale.error = "stale writer";
  EXPECT_EQ(store().put_state(stale), WriteOutcome::kFenced);
  EXPECT_TRUE(same_state(state, *store().get_state("m1"))) << "a fenced write changes nothing";

  state.error = "same fence rewrites";
  EXPECT_EQ(store().put_state(state), WriteOutcome::kOk);
  EXPECT_EQ(store().get_state("m1")->error, "same fence rewrites");

  auto newer = sample_state("m1", 6);
  newer.status = RunStatus::kCompleted;
  newer.progress = nullptr;
  newer.completed_at.reset();
  EXPECT_EQ(store().put_state(newer), WriteOutcome::kOk);
  EXPECT_TRUE(same_state(newer, *store().get_state("m1"))) << "whole item replaced";

  EXPECT_EQ(store().put_state(sample_state("m1", 5)), WriteOutcome::kFenced);
  EXPECT_EQ(store().get_state("m1")->fence, 6);
}

TEST_P(StoreConformance, PutStateUnlessLastRunIdRefusesWhenTheOutcomeWasWritten) {
  // Absent item: the condition holds.
  auto state = sample_state("m1", 3);
  state.last_run_id = "run-1";
  EXPECT_EQ(store().put_state(state, std::string("run-1")), WriteOutcome::kOk);

  auto interrupted = sample_state("m1", 3);
  interrupted.status = RunStatus::kInterrupted;
  interrupted.last_run_id = "run-1";
  EXPECT_EQ(store().put_state(interrupted, std::string("run-1")), WriteOutcome::kConflict);
  EXPECT_EQ(store().get_state("m1")->status, RunStatus::kFailed) << "a conflict changes nothing";

  EXPECT_EQ(store().put_state(interrupted, std::string("run-0")), WriteOutcome::kOk);
  EXPECT_EQ(store().get_state("m1")->status, RunStatus::kInterrupted);

  // Fencing is decided first: an older writer is kFenced even when last_run_id matches.
  auto stale = sample_state("m1", 2);
  EXPECT_EQ(store().put_state(stale, std::string("run-1")), WriteOutcome::kFenced);
  EXPECT_EQ(store().put_state(stale, std::string("other")), WriteOutcome::kFenced);
  EXPECT_EQ(store().get_state("m1")->fence, 3);
}

TEST_P(StoreConformance, DeleteStateIsFenced) {
  ASSERT_EQ(store().put_state(sample_state("m1", 5)), WriteOutcome::kOk);
  ASSERT_EQ(store().put_state(sample_state("m2", 5)), WriteOutcome::kOk);

  EXPECT_EQ(store().delete_state("m1", 4), WriteOutcome::kFenced);
  EXPECT_TRUE(store().get_state("m1").has_value());

  EXPECT_EQ(store().delete_state("m1", 5), WriteOutcome::kOk);
  EXPECT_FALSE(store().get_state("m1").has_value());
  EXPECT_EQ(store().delete_state("m2", 9), WriteOutcome::kOk);
  EXPECT_TRUE(store().list_states().empty());

  EXPECT_EQ(store().delete_state("never-existed", 1), WriteOutcome::kOk);

  ASSERT_EQ(store().put_state(sample_state("m1", 1)), WriteOutcome::kOk)
      << "a deleted state may be written again";
  EXPECT_EQ(store().get_state("m1")->fence, 1);
}

TEST_P(StoreConformance, FencedPutsFromThreadsKeepTheNewestFence) {
  constexpr int kThreads = 8;
  constexpr int kWritesPerThread = 10;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kWritesPerThread; ++i) {
        const auto fence = std::int64_t{1} + t * kWritesPerThread + i;
        auto state = sample_state("shared", fence);
        state.error = "writer " + std::to_string(fence);
        const auto outcome = store().put_state(state);
        EXPECT_NE(outcome, WriteOutcome::kConflict);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto state = store().get_state("shared");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->fence, kThreads * kWritesPerThread);
  EXPECT_EQ(state->error, "writer " + std::to_string(kThreads * kWritesPerThread))
      << "the stored item is the newest writer's, whole";
}

// ---- Runs ---------------------------------------------------------------------------------------

TEST_P(StoreConformance, RunRoundTripsEveryField) {
  auto full = sample_run("20250101000000_a", "run-full", kNow);
  full.direction = Direction::kDown;
  EXPECT_THAT(unset_fields(record_fields::kRunFields, full), IsEmpty()) << "the sample sets every field";
  const auto minimal = minimal_run("20250101000000_a", "run-minimal", kNow - 1);
  ASSERT_EQ(store().put_run(full), WriteOutcome::kOk);
  ASSERT_EQ(store().put_run(minimal), WriteOutcome::kOk);

  const auto page = store().runs_of_migration("20250101000000_a", 10, "");
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_TRUE(page.next_cursor.empty());
  EXPECT_TRUE(same_run(full, page.items[0]));
  EXPECT_TRUE(same_run(minimal, page.items[1]));
  EXPECT_TRUE(page.items[1].result.is_null());
  EXPECT_FALSE(page.items[1].completed_at.has_value());
  EXPECT_FALSE(page.items[1].duration_ms.has_value());

  const auto by_execution = store().runs_of_execution("exec-1");
  ASSERT_EQ(by_execution.size(), 1u);
  EXPECT_TRUE(same_run(full, by_execution[0]));
}

TEST_P(StoreConformance, RunFieldsEachRoundTripAlone) {
  auto full = sample_run("20250101000000_full", "run-full", kNow);
  full.direction = Direction::kDown;
  const auto blank = [](int i) {
    return RunRecord{
        .run_id = "run-alone-" + padded(i), .id = "20250101000000_alone", .started_at = kNow + i};
  };
  const auto round_trip = [&](const RunRecord& alone, const std::string& field) {
    ASSERT_EQ(store().put_run(alone), WriteOutcome::kOk) << field;
    const auto page = store().runs_of_migration(alone.id, 100, "");
    const auto it = std::find_if(page.items.begin(), page.items.end(),
                                 [&](const RunRecord& r) { return r.run_id == alone.run_id; });
    ASSERT_NE(it, page.items.end()) << field;
    EXPECT_TRUE(same_run(alone, *it)) << "only " << field << " set";
  };
  each_field_alone(record_fields::kRunFields, full, blank, round_trip);
  // And each field of its Who, in runs of their own.
  each_field_alone(
      record_fields::kWhoFields, full.who, [](int) { return Who{}; },
      [&](const Who& who, const std::string& field) {
        RunRecord alone = blank(100);
        alone.run_id = "run-who-" + field;
        alone.who = who;
        round_trip(alone, "who." + field);
      });
}

TEST_P(StoreConformance, RunKeepsLargeUnicodeOutputExactly) {
  // About 200 KiB of multi-byte text: the largest output the runner stores.
  std::string output;
  const std::string line =
      "[2025-06-01T12:00:00.123Z] [info] \xE6\x97\xA5\xE6\x9C\xAC "
      "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xF0\x9F\x8E\x89 "
      "quotes \" and \\ backslash\n";
  while (output.size() + line.size() <= 200 * 1024) output += line;
  auto run = sample_run("m1", "run-big", kNow);
  run.output = output;
  ASSERT_EQ(store().put_run(run), WriteOutcome::kOk);
  const auto page = store().runs_of_migration("m1", 1, "");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].output.size(), output.size());
  EXPECT_TRUE(page.items[0].output == output);
}

// A run as its lease holder writes it while it runs: the output so far, no outcome yet.
RunRecord running_run(const std::string& id, const std::string& run_id, std::int64_t fence) {
  auto run = sample_run(id, run_id, kNow, "exec-running");
  run.status = RunStatus::kRunning;
  run.completed_at.reset();
  run.duration_ms.reset();
  run.result = nullptr;
  run.error.clear();
  run.output = "[t] [stdout] line 1\n";
  run.output_truncated = false;
  run.fence = fence;
  run.updated_at = kNow + 2000;
  return run;
}

TEST_P(StoreConformance, PutRunRewritesARunningRunUnderItsLeaseKeepingItsKey) {
  auto run = running_run("m1", "run-1", 3);
  ASSERT_EQ(store().put_run(run), WriteOutcome::kOk) << "absent";

  run.output += "[t] [stdout] line 2\n";
  run.updated_at += 2000;
  ASSERT_EQ(store().put_run(run), WriteOutcome::kOk) << "the same holder saves the output so far";
  auto page = store().runs_of_migration("m1", 10, "");
  ASSERT_EQ(page.items.size(), 1u) << "rewritten in place, never a second run";
  EXPECT_TRUE(same_run(run, page.items[0]));

  auto newer = run;
  newer.fence = 4;
  newer.output += "[t] [stdout] line 3\n";
  newer.updated_at += 2000;
  ASSERT_EQ(store().put_run(newer), WriteOutcome::kOk) << "a newer fence may rewrite it";
  EXPECT_EQ(store().put_run(run), WriteOutcome::kFenced) << "the older holder lost its lease";
  page = store().runs_of_migration("m1", 10, "");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_TRUE(same_run(newer, page.items[0])) << "a fenced write changes nothing";

  // The outcome, under the same fence: final from then on, whatever the fence.
  auto done = newer;
  done.status = RunStatus::kCompleted;
  done.completed_at = kNow + 7000;
  done.duration_ms = 7000;
  done.result = Json{{"rows", 3}};
  done.updated_at = kNow + 7000;
  ASSERT_EQ(store().put_run(done), WriteOutcome::kOk);
  for (auto late : {newer, done, run}) {
    late.fence = 4;
    EXPECT_EQ(store().put_run(late), WriteOutcome::kConflict) << "same fence";
    late.fence = 9;
    EXPECT_EQ(store().put_run(late), WriteOutcome::kConflict) << "higher fence";
    late.fence = 1;
    EXPECT_EQ(store().put_run(late), WriteOutcome::kConflict) << "lower fence: final beats fenced";
  }
  page = store().runs_of_migration("m1", 10, "");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_TRUE(same_run(done, page.items[0]));
  EXPECT_EQ(store().runs_of_execution("exec-running").size(), 1u);
  EXPECT_THAT(store().count_runs_of_executions({"exec-running"}), ElementsAre(1u));
}

TEST_P(StoreConformance, ANewerHolderClosesADeadHoldersRunningRunAsInterrupted) {
  // Holder 1 saved its output and died; holder 2 (fence 2) closes the run, output kept.
  const auto saved = running_run("m1", "run-dead", 1);
  ASSERT_EQ(store().put_run(saved), WriteOutcome::kOk);
  auto closed = saved;
  closed.status = RunStatus::kInterrupted;
  closed.fence = 2;
  closed.completed_at = saved.updated_at;  // its last durable sign of life
  closed.duration_ms = saved.updated_at - saved.started_at;
  closed.error = "interrupted: the runner stopped (lease lost or process killed)";
  ASSERT_EQ(store().put_run(closed), WriteOutcome::kOk);

  // The dead holder's late writes, running or final, change nothing.
  auto late = saved;
  late.output += "late line\n";
  EXPECT_EQ(store().put_run(late), WriteOutcome::kConflict);
  late.status = RunStatus::kCompleted;
  EXPECT_EQ(store().put_run(late), WriteOutcome::kConflict);
  const auto page = store().runs_of_migration("m1", 10, "");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_TRUE(same_run(closed, page.items[0]));
  EXPECT_EQ(page.items[0].output, saved.output);
}

TEST_P(StoreConformance, ADeadHoldersLateWriteIsFencedWhileTheNewHolderRunsIt) {
  ASSERT_EQ(store().put_run(running_run("m1", "run-1", 1)), WriteOutcome::kOk);
  auto taken = running_run("m1", "run-1", 2);  // the new holder re-saves it under its fence first
  taken.output = "[t] [stdout] recovered\n";
  ASSERT_EQ(store().put_run(taken), WriteOutcome::kOk);
  auto late = running_run("m1", "run-1", 1);
  late.status = RunStatus::kFailed;
  EXPECT_EQ(store().put_run(late), WriteOutcome::kFenced);
  EXPECT_TRUE(same_run(taken, store().runs_of_migration("m1", 1, "").items.at(0)));
}

TEST_P(StoreConformance, PutRunNeverOverwritesAFinalRun) {
  const auto original = sample_run("m1", "run-1", kNow);
  ASSERT_EQ(store().put_run(original), WriteOutcome::kOk);

  auto again = original;
  again.status = RunStatus::kInterrupted;
  again.output = "overwritten?";
  EXPECT_EQ(store().put_run(again), WriteOutcome::kConflict);
  EXPECT_EQ(store().put_run(original), WriteOutcome::kConflict);

  const auto page = store().runs_of_migration("m1", 10, "");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_TRUE(same_run(original, page.items[0]));
  EXPECT_EQ(store().runs_of_execution("exec-1").size(), 1u);
}

TEST_P(StoreConformance, RunsOfMigrationAreNewestFirstAcrossPages) {
  std::vector<std::string> expected;  // newest first
  for (int i = 0; i < 25; ++i) {
    const auto run_id = "run-" + padded(i);
    // Insert in scrambled time order; runs of another migration interleave.
    const std::int64_t started_at = kNow + ((i * 7) % 25) * 1000;
    ASSERT_EQ(store().put_run(sample_run("m1", run_id, started_at)), WriteOutcome::kOk);
    ASSERT_EQ(store().put_run(sample_run("m2", "other-" + padded(i), started_at + 500)), WriteOutcome::kOk);
  }
  for (int k = 24; k >= 0; --k) {
    for (int i = 0; i < 25; ++i) {
      if ((i * 7) % 25 == k) expected.push_back("run-" + padded(i));
    }
  }

  std::vector<std::string> seen;
  std::vector<std::size_t> sizes;
  std::string cursor;
  int pages = 0;
  do {
    const auto page = store().runs_of_migration("m1", 10, cursor);
    sizes.push_back(page.items.size());
    for (const auto& run : page.items) {
      EXPECT_EQ(run.id, "m1");
      seen.push_back(run.run_id);
    }
    cursor = page.next_cursor;
    ASSERT_LT(++pages, 10) << "pagination does not end";
  } while (!cursor.empty());
  EXPECT_THAT(sizes, ElementsAre(10u, 10u, 5u));
  EXPECT_THAT(seen, ElementsAreArray(expected));

  // A page of exactly the remaining items is the last one: no cursor to an empty page.
  const auto first = store().runs_of_migration("m1", 20, "");
  ASSERT_FALSE(first.next_cursor.empty());
  const auto rest = store().runs_of_migration("m1", 5, first.next_cursor);
  EXPECT_EQ(rest.items.size(), 5u);
  EXPECT_TRUE(rest.next_cursor.empty());
  const auto all = store().runs_of_migration("m1", 25, "");
  EXPECT_EQ(all.items.size(), 25u);
  EXPECT_TRUE(all.next_cursor.empty());
}

TEST_P(StoreConformance, RunsWithTheSameStartAreOrderedByRunIdAcrossPages) {
  const std::vector<std::string> ids = {"run-c", "run-a", "run-e", "run-b", "run-g", "run-d", "run-f"};
  for (const auto& id : ids) ASSERT_EQ(store().put_run(sample_run("m1", id, kNow)), WriteOutcome::kOk);
  ASSERT_EQ(store().put_run(sample_run("m1", "run-newer", kNow + 1)), WriteOutcome::kOk);
  ASSERT_EQ(store().put_run(sample_run("m1", "run-older", kNow - 1)), WriteOutcome::kOk);

  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    const auto page = store().runs_of_migration("m1", 3, cursor);
    for (const auto& run : page.items) seen.push_back(run.run_id);
    cursor = page.next_cursor;
    ++pages;
    ASSERT_LT(pages, 10);
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(seen, ElementsAre("run-newer", "run-g", "run-f", "run-e", "run-d", "run-c", "run-b", "run-a",
                                "run-older"));
}

TEST_P(StoreConformance, RunsOfUnknownMigrationIsAnEmptyLastPage) {
  ASSERT_EQ(store().put_run(sample_run("m1", "run-1", kNow)), WriteOutcome::kOk);
  const auto page = store().runs_of_migration("m-unknown", 10, "");
  EXPECT_TRUE(page.items.empty());
  EXPECT_TRUE(page.next_cursor.empty());
  EXPECT_TRUE(store().runs_of_execution("exec-unknown").empty());
}

TEST_P(StoreConformance, RunCursorIsStableWhenNewerRunsArrive) {
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(store().put_run(sample_run("m1", "run-" + padded(i), kNow + i)), WriteOutcome::kOk);
  }
  const auto first = store().runs_of_migration("m1", 3, "");
  ASSERT_EQ(first.items.size(), 3u);
  EXPECT_EQ(first.items[0].run_id, "run-005");
  ASSERT_FALSE(first.next_cursor.empty());

  ASSERT_EQ(store().put_run(sample_run("m1", "run-new", kNow + 100)), WriteOutcome::kOk);
  const auto second = store().runs_of_migration("m1", 3, first.next_cursor);
  EXPECT_THAT(run_ids(second.items), ElementsAre("run-002", "run-001", "run-000"));
  EXPECT_TRUE(second.next_cursor.empty());
}

TEST_P(StoreConformance, RunsOfExecutionAreOldestFirst) {
  // Execution "e1" ran three migrations; at equal start times the migration id decides.
  ASSERT_EQ(store().put_run(sample_run("20250103000000_c", "r3", kNow + 30, "e1")), WriteOutcome::kOk);
  ASSERT_EQ(store().put_run(sample_run("20250101000000_a", "r1", kNow + 10, "e1")), WriteOutcome::kOk);
  ASSERT_EQ(store().put_run(sample_run("20250102000000_b", "r2b", kNow + 20, "e1")), WriteOutcome::kOk);
  ASSERT_EQ(store().put_run(sample_run("20250102000000_a", "r2a", kNow + 20, "e1")), WriteOutcome::kOk);
  ASSERT_EQ(store().put_run(sample_run("20250101000000_a", "other", kNow + 15, "e2")), WriteOutcome::kOk);

  const auto runs = store().runs_of_execution("e1");
  EXPECT_THAT(run_ids(runs), ElementsAre("r1", "r2a", "r2b", "r3"));
  for (const auto& run : runs) EXPECT_EQ(run.execution_id, "e1");
  EXPECT_THAT(run_ids(store().runs_of_execution("e2")), ElementsAre("other"));
}

TEST_P(StoreConformance, RunsOfExecutionsAreCountedInTheOrderAsked) {
  ASSERT_EQ(store().put_run(sample_run("20250101000000_a", "r1", kNow + 10, "e1")), WriteOutcome::kOk);
  ASSERT_EQ(store().put_run(sample_run("20250102000000_b", "r2", kNow + 20, "e1")), WriteOutcome::kOk);
  ASSERT_EQ(store().put_run(sample_run("20250102000000_b", "r3", kNow + 30, "e1")), WriteOutcome::kOk);
  ASSERT_EQ(store().put_run(sample_run("20250101000000_a", "r4", kNow + 40, "e2")), WriteOutcome::kOk);

  EXPECT_THAT(store().count_runs_of_executions({"e2", "unknown", "e1"}), ElementsAre(1u, 0u, 3u));
  EXPECT_THAT(store().count_runs_of_executions({"e1", "e1"}), ElementsAre(3u, 3u));
  EXPECT_TRUE(store().count_runs_of_executions({}).empty());
  // The same answer as counting the runs themselves, from another handle too.
  EXPECT_THAT(open_another()->count_runs_of_executions({"e1"}),
              ElementsAre(store().runs_of_execution("e1").size()));
}

TEST_P(StoreConformance, DataVersionChangesWithEveryWriteFromAnyHandle) {
  auto other = open_another();
  const auto v0 = store().data_version();
  if (!v0) {
    // A backend without a data version (callers never cache) must never start telling one:
    // a version that appeared after a write would make a caller trust a cache it never had.
    EXPECT_FALSE(other->data_version().has_value()) << "a backend either tells or does not";
    ASSERT_EQ(store().put_state(sample_state("20250101000000_a", 1)), WriteOutcome::kOk);
    EXPECT_FALSE(store().data_version().has_value());
    EXPECT_FALSE(other->data_version().has_value());
    return;
  }
  // Reads change nothing.
  store().list_states();
  store().read_lock();
  other->list_states();
  EXPECT_EQ(store().data_version(), v0);

  // A write through this handle.
  ASSERT_EQ(store().put_state(sample_state("20250101000000_a", 1)), WriteOutcome::kOk);
  const auto v1 = store().data_version();
  EXPECT_NE(v1, v0);
  EXPECT_EQ(store().data_version(), v1) << "stable while nothing is written";

  // A write through another handle (another connection) is seen here.
  ASSERT_EQ(other->put_run(sample_run("20250101000000_a", "r1", kNow)), WriteOutcome::kOk);
  const auto v2 = store().data_version();
  EXPECT_NE(v2, v1);

  // Every kind of write counts: the lock, executions, hops.
  ASSERT_TRUE(other->try_acquire_lock(lock_request("owner", kNow)).acquired);
  const auto v3 = store().data_version();
  EXPECT_NE(v3, v2);
  ASSERT_EQ(other->put_execution(sample_execution("e1", kNow, 1)), WriteOutcome::kOk);
  const auto v4 = store().data_version();
  EXPECT_NE(v4, v3);
  ASSERT_EQ(store().advance_hop("e1", sample_execution("e1", kNow, 1).hop, 99), WriteOutcome::kOk);
  EXPECT_NE(store().data_version(), v4);
}

TEST_P(StoreConformance, ConcurrentWritersFromThreadsLoseNothing) {
  constexpr int kThreads = 4;
  constexpr int kRunsPerThread = 25;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      const auto id = "m-thread-" + std::to_string(t);
      for (int i = 0; i < kRunsPerThread; ++i) {
        const auto run_id = id + "-run-" + padded(i);
        EXPECT_EQ(store().put_run(sample_run(id, run_id, kNow + i, "exec-shared")), WriteOutcome::kOk);
        EXPECT_EQ(store().put_state(sample_state(id, 1 + i)), WriteOutcome::kOk);
      }
      auto execution = sample_execution("exec-" + std::to_string(t), kNow + t);
      EXPECT_EQ(store().put_execution(execution), WriteOutcome::kOk);
    });
  }
  for (auto& thread : threads) thread.join();

  const auto states = store().list_states();
  ASSERT_EQ(states.size(), static_cast<std::size_t>(kThreads));
  for (const auto& state : states) EXPECT_EQ(state.fence, kRunsPerThread);
  for (int t = 0; t < kThreads; ++t) {
    const auto page = store().runs_of_migration("m-thread-" + std::to_string(t), 100, "");
    EXPECT_EQ(page.items.size(), static_cast<std::size_t>(kRunsPerThread));
  }
  EXPECT_EQ(store().runs_of_execution("exec-shared").size(),
            static_cast<std::size_t>(kThreads * kRunsPerThread));
  EXPECT_EQ(store().list_executions(100, "").items.size(), static_cast<std::size_t>(kThreads));
}

// ---- Executions -----------------------------------------------------------------------------------

TEST_P(StoreConformance, ExecutionRoundTripsEveryField) {
  auto full = sample_execution("exec-full", kNow, 3);
  full.hop = 2;
  EXPECT_THAT(unset_fields(record_fields::kExecutionFields, full), IsEmpty())
      << "the sample sets every field";
  ExecutionRecord minimal;
  minimal.execution_id = "exec-minimal";
  ASSERT_EQ(store().put_execution(full), WriteOutcome::kOk);
  ASSERT_EQ(store().put_execution(minimal), WriteOutcome::kOk);

  const auto got = store().get_execution("exec-full");
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(same_execution(full, *got));
  const auto got_minimal = store().get_execution("exec-minimal");
  ASSERT_TRUE(got_minimal.has_value());
  EXPECT_TRUE(same_execution(minimal, *got_minimal));
  EXPECT_TRUE(got_minimal->planned.empty());
  EXPECT_FALSE(got_minimal->completed_at.has_value());
  EXPECT_FALSE(store().get_execution("exec-absent").has_value());

  int i = 0;
  for (const auto status :
       {ExecutionStatus::kRunning, ExecutionStatus::kCompleted, ExecutionStatus::kFailed,
        ExecutionStatus::kInterrupted, ExecutionStatus::kNeedsContinuation, ExecutionStatus::kSuspended}) {
    auto execution = sample_execution("exec-status-" + std::to_string(i++), kNow);
    execution.status = status;
    execution.direction = i % 2 == 0 ? Direction::kUp : Direction::kDown;
    ASSERT_EQ(store().put_execution(execution), WriteOutcome::kOk);
    EXPECT_TRUE(same_execution(execution, *store().get_execution(execution.execution_id)));
  }
}

TEST_P(StoreConformance, ExecutionFieldsEachRoundTripAlone) {
  auto full = sample_execution("exec-full", kNow, 3);
  full.hop = 2;
  each_field_alone(
      record_fields::kExecutionFields, full,
      [](int i) { return ExecutionRecord{.execution_id = "exec-alone-" + padded(i)}; },
      [&](const ExecutionRecord& alone, const std::string& field) {
        ASSERT_EQ(store().put_execution(alone), WriteOutcome::kOk) << field;
        const auto got = store().get_execution(alone.execution_id);
        ASSERT_TRUE(got.has_value()) << field;
        EXPECT_TRUE(same_execution(alone, *got)) << "only " << field << " set";
      });
}

TEST_P(StoreConformance, PutExecutionIsFencedAndReplacesTheWholeItem) {
  auto execution = sample_execution("e1", kNow, 4);
  ASSERT_EQ(store().put_execution(execution), WriteOutcome::kOk);

  auto stale = execution;
  stale.fence = 3;
  stale.status = ExecutionStatus::kFailed;
  EXPECT_EQ(store().put_execution(stale), WriteOutcome::kFenced);
  EXPECT_TRUE(same_execution(execution, *store().get_execution("e1")));

  execution.finished = {};
  execution.planned = {"only"};
  execution.completed_at.reset();
  execution.status = ExecutionStatus::kCompleted;
  EXPECT_EQ(store().put_execution(execution), WriteOutcome::kOk) << "equal fence";
  EXPECT_TRUE(same_execution(execution, *store().get_execution("e1")));

  execution.fence = 9;
  execution.error = "newer";
  EXPECT_EQ(store().put_execution(execution), WriteOutcome::kOk);
  EXPECT_EQ(store().get_execution("e1")->error, "newer");
  stale.fence = 8;
  EXPECT_EQ(store().put_execution(stale), WriteOutcome::kFenced);
  EXPECT_EQ(store().get_execution("e1")->fence, 9);
}

TEST_P(StoreConformance, ExecutionsAreListedNewestFirstAcrossPages) {
  EXPECT_TRUE(store().list_executions(10, "").items.empty());
  EXPECT_TRUE(store().list_executions(10, "").next_cursor.empty());
  std::vector<std::string> expected;
  for (int i = 0; i < 25; ++i) {
    const std::int64_t started_at = kNow + ((i * 11) % 25) * 1000;
    ASSERT_EQ(store().put_execution(sample_execution("exec-" + padded(i), started_at)), WriteOutcome::kOk);
  }
  for (int k = 24; k >= 0; --k) {
    for (int i = 0; i < 25; ++i) {
      if ((i * 11) % 25 == k) expected.push_back("exec-" + padded(i));
    }
  }
  std::vector<std::string> seen;
  std::vector<std::size_t> sizes;
  std::string cursor;
  do {
    const auto page = store().list_executions(10, cursor);
    sizes.push_back(page.items.size());
    for (const auto& id : execution_ids(page.items)) seen.push_back(id);
    cursor = page.next_cursor;
    ASSERT_LT(sizes.size(), 10u);
  } while (!cursor.empty());
  EXPECT_THAT(sizes, ElementsAre(10u, 10u, 5u));
  EXPECT_THAT(seen, ElementsAreArray(expected));
}

TEST_P(StoreConformance, ExecutionsWithTheSameStartAreOrderedByIdAcrossPages) {
  for (const auto* id : {"e-b", "e-d", "e-a", "e-c", "e-e"}) {
    ASSERT_EQ(store().put_execution(sample_execution(id, kNow)), WriteOutcome::kOk);
  }
  ASSERT_EQ(store().put_execution(sample_execution("e-old", kNow - 1)), WriteOutcome::kOk);
  const auto first = store().list_executions(2, "");
  ASSERT_FALSE(first.next_cursor.empty());
  const auto second = store().list_executions(2, first.next_cursor);
  ASSERT_FALSE(second.next_cursor.empty());
  const auto third = store().list_executions(2, second.next_cursor);
  EXPECT_TRUE(third.next_cursor.empty());
  EXPECT_THAT(execution_ids(first.items), ElementsAre("e-e", "e-d"));
  EXPECT_THAT(execution_ids(second.items), ElementsAre("e-c", "e-b"));
  EXPECT_THAT(execution_ids(third.items), ElementsAre("e-a", "e-old"));
}

TEST_P(StoreConformance, AdvanceHopMovesOnlyFromTheExpectedHop) {
  EXPECT_EQ(store().advance_hop("exec-unknown", 0, 1), WriteOutcome::kConflict);
  EXPECT_FALSE(store().get_execution("exec-unknown").has_value())
      << "advance_hop must not create an execution";

  const auto execution = sample_execution("e1", kNow, 2);
  ASSERT_EQ(store().put_execution(execution), WriteOutcome::kOk);
  EXPECT_EQ(store().advance_hop("e1", 1, 2), WriteOutcome::kConflict);
  EXPECT_EQ(store().advance_hop("e1", 0, 1), WriteOutcome::kOk);
  EXPECT_EQ(store().advance_hop("e1", 0, 1), WriteOutcome::kConflict) << "duplicate delivery";
  EXPECT_EQ(store().get_execution("e1")->hop, 1);
  EXPECT_EQ(store().advance_hop("e1", 1, 2), WriteOutcome::kOk);

  auto expected = execution;
  expected.hop = 2;
  EXPECT_TRUE(same_execution(expected, *store().get_execution("e1"))) << "only the hop changes";
}

TEST_P(StoreConformance, AdvanceHopRaceHasExactlyOneWinner) {
  auto execution = sample_execution("e1", kNow);
  execution.hop = 3;
  ASSERT_EQ(store().put_execution(execution), WriteOutcome::kOk);

  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> ok{0};
  std::atomic<int> conflict{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      const auto outcome = store().advance_hop("e1", 3, 4);
      if (outcome == WriteOutcome::kOk) ++ok;
      if (outcome == WriteOutcome::kConflict) ++conflict;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), kThreads - 1);
  EXPECT_EQ(store().get_execution("e1")->hop, 4);
}

TEST_P(StoreConformance, AdvanceHopRaceAcrossHandlesHasExactlyOneWinner) {
  auto execution = sample_execution("e1", kNow);
  execution.hop = 3;
  ASSERT_EQ(store().put_execution(execution), WriteOutcome::kOk);

  constexpr int kHandles = 4;
  std::vector<std::unique_ptr<Store>> handles;
  for (int i = 0; i < kHandles; ++i) handles.push_back(open_another());
  std::latch start(kHandles);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kHandles; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      if (handles[static_cast<std::size_t>(i)]->advance_hop("e1", 3, 4) == WriteOutcome::kOk) ++ok;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(store().get_execution("e1")->hop, 4);
}

}  // namespace
}  // namespace auric::store_testing
