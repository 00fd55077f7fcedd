// Live progress in the API: the running run's `progress` on GET /api/lock and on its
// GET /api/migrations row, and GET /api/migrations/{id}/segments (the backfill segments a
// migration's checkpoint names), with its validation and its cap on listed segments. The store
// is set up as a runner mid-backfill leaves it: lock held, current run with the job id in its
// checkpoint, a running run record with a progress snapshot, segments in the SegmentStore.
#include <gtest/gtest.h>

#include "core/segment_store.hpp"
#include "core/system.hpp"
#include "fixture.hpp"

namespace auric::dashboard::testing {
namespace {

const std::string& kBackfill = kIds[2];
constexpr const char* kOwner = "host:1:runner";

// Holds the lock for kBackfill's run "run-1", whose checkpoint names `jobs` ({name: job id}).
std::int64_t start_running(Harness& h, const Json& jobs, const Json& progress) {
  const std::int64_t now = system_now_ms();
  const LockRequest request{kOwner, "exec-1", Who{.user = "ana", .host = "host"}, now, 60'000};
  const LockAttempt attempt = h.store->try_acquire_lock(request);
  EXPECT_TRUE(attempt.acquired);
  const Json checkpoint = jobs.is_null() ? Json() : Json{{"auric_backfill", jobs}};
  const CurrentRun current{kBackfill, "run-1", "exec-1", Direction::kUp, now, 0, checkpoint};
  EXPECT_EQ(h.store->set_current_run(kOwner, attempt.fence, current, now + 60'000), WriteOutcome::kOk);
  RunRecord run;
  run.run_id = "run-1";
  run.id = kBackfill;
  run.name = "backfill_totals";
  run.execution_id = "exec-1";
  run.started_at = now;
  run.updated_at = now;
  run.fence = attempt.fence;
  run.progress = progress;
  EXPECT_EQ(h.store->put_run(run), WriteOutcome::kOk);
  return attempt.fence;
}

// Creates `total` segments of `job`; claims segment 0 (left running) and finishes 1 (done)
// and 2 (failed) with counts.
void seed_segments(SegmentStore& segments, const std::string& job, int total) {
  const SegmentJob sj{kBackfill, job};
  const std::int64_t now = system_now_ms();
  segments.create_segments(sj, total, now);
  const auto work = [&](int segment, SegmentState state, std::int64_t scanned, bool release) {
    auto claimed =
        segments.claim_segment({sj, segment, "worker-" + std::to_string(segment), now, 60'000, {}});
    ASSERT_TRUE(claimed);
    claimed->state = state;
    claimed->counts.scanned = scanned;
    claimed->counts.written = scanned - 1;
    claimed->counts.skipped = 1;
    claimed->counts.failed = state == SegmentState::kFailed ? 2 : 0;
    claimed->updated_at = now + segment;
    ASSERT_EQ(segments.save_segment(*claimed, release), WriteOutcome::kOk);
  };
  work(0, SegmentState::kRunning, 10, false);
  work(1, SegmentState::kDone, 20, true);
  work(2, SegmentState::kFailed, 30, true);
}

const Json* row(const Json& rows, const std::string& id) {
  for (const auto& r : rows) {
    if (r["id"] == id) return &r;
  }
  return nullptr;
}

TEST(DashboardProgress, RunningRunsProgressIsOnTheLockAndOnItsRow) {
  Harness h;
  const Json progress = {{"done", 40}, {"total", 100}, {"unit", "items"}, {"updatedAt", 1234}};
  start_running(h, nullptr, progress);
  const Json lock = h.get_json("/api/lock");
  ASSERT_TRUE(lock.contains("current")) << lock.dump();
  EXPECT_EQ(lock["current"]["progress"], progress);
  const Json rows = h.get_json("/api/migrations");
  ASSERT_NE(row(rows, kBackfill), nullptr);
  EXPECT_EQ((*row(rows, kBackfill))["status"], "running");
  EXPECT_EQ((*row(rows, kBackfill))["progress"], progress);
  EXPECT_FALSE(row(rows, kIds[0])->contains("progress")) << "only the running row has progress";
}

TEST(DashboardProgress, NoProgressFieldWhenTheRunReportedNone) {
  Harness h;
  start_running(h, nullptr, nullptr);
  const Json lock = h.get_json("/api/lock");
  ASSERT_TRUE(lock.contains("current"));
  EXPECT_FALSE(lock["current"].contains("progress")) << lock.dump();
  EXPECT_FALSE(row(h.get_json("/api/migrations"), kBackfill)->contains("progress"));
}

TEST(DashboardProgress, SegmentsOfTheRunningBackfillWithStatesAndCounts) {
  Harness h;
  SegmentStore* segments = h.store->segments();
  ASSERT_NE(segments, nullptr) << "the memory store keeps segments";
  seed_segments(*segments, "job-a", 5);
  start_running(h, Json{{"copy", "job-a"}}, nullptr);

  const Json body = h.get_json("/api/migrations/" + kBackfill + "/segments");
  EXPECT_EQ(body["migrationId"], kBackfill);
  EXPECT_EQ(body["running"], true);
  ASSERT_EQ(body["jobs"].size(), 1u) << body.dump();
  const Json& job = body["jobs"][0];
  EXPECT_EQ(job["name"], "copy");
  EXPECT_EQ(job["jobId"], "job-a");
  EXPECT_EQ(job["totalSegments"], 5);
  EXPECT_EQ(job["states"], Json({{"pending", 2}, {"running", 1}, {"done", 1}, {"failed", 1}}));
  EXPECT_EQ(job["totals"], Json({{"scanned", 60}, {"written", 57}, {"skipped", 3}, {"failed", 2}}));
  EXPECT_FALSE(job.contains("segmentsTruncated"));
  ASSERT_EQ(job["segments"].size(), 5u);
  const Json& running = job["segments"][0];
  EXPECT_EQ(running["segment"], 0);
  EXPECT_EQ(running["totalSegments"], 5);
  EXPECT_EQ(running["state"], "running");
  EXPECT_EQ(running["owner"], "worker-0");
  EXPECT_EQ(running["scanned"], 10);
  EXPECT_EQ(running["written"], 9);
  EXPECT_EQ(running["skipped"], 1);
  EXPECT_EQ(running["failed"], 0);
  EXPECT_TRUE(running["updatedAt"].is_number_integer());
  EXPECT_EQ(job["segments"][1]["state"], "done");
  EXPECT_FALSE(job["segments"][1].contains("owner")) << "a released segment has no owner";
  EXPECT_EQ(job["segments"][2]["state"], "failed");
  EXPECT_EQ(job["segments"][2]["failed"], 2);
  EXPECT_EQ(job["segments"][4]["state"], "pending");
  EXPECT_FALSE(job["segments"][0].contains("cursor")) << "no internals (cursor, fence, lease)";
  EXPECT_FALSE(job["segments"][0].contains("fence"));
}

TEST(DashboardProgress, SegmentsOfASuspendedBackfillComeFromItsState) {
  Harness h;
  seed_segments(*h.store->segments(), "job-s", 3);
  // Not running: the state keeps the checkpoint for the next attempt.
  const std::int64_t now = system_now_ms();
  const LockAttempt attempt = h.store->try_acquire_lock({kOwner, "exec-2", Who{}, now, 60'000});
  ASSERT_TRUE(attempt.acquired);
  MigrationState state;
  state.id = kBackfill;
  state.status = RunStatus::kSuspended;
  state.started_at = now;
  state.progress = {{"auric_backfill", {{"copy", "job-s"}}}};
  state.fence = attempt.fence;
  ASSERT_EQ(h.store->put_state(state), WriteOutcome::kOk);
  ASSERT_EQ(h.store->release_lock(kOwner, attempt.fence), WriteOutcome::kOk);

  const Json body = h.get_json("/api/migrations/" + kBackfill + "/segments");
  EXPECT_EQ(body["running"], false);
  ASSERT_EQ(body["jobs"].size(), 1u) << body.dump();
  EXPECT_EQ(body["jobs"][0]["jobId"], "job-s");
  EXPECT_EQ(body["jobs"][0]["segments"].size(), 3u);
}

TEST(DashboardProgress, ManySegmentsAreCappedButCountedInFull) {
  Harness h;
  seed_segments(*h.store->segments(), "job-big", 1500);
  start_running(h, Json{{"copy", "job-big"}}, nullptr);
  const Json job = h.get_json("/api/migrations/" + kBackfill + "/segments")["jobs"][0];
  EXPECT_EQ(job["totalSegments"], 1500);
  EXPECT_EQ(job["segments"].size(), 1024u);
  EXPECT_EQ(job["segmentsTruncated"], true);
  EXPECT_EQ(job["states"]["pending"], 1497);
  EXPECT_EQ(job["segments"][1023]["segment"], 1023) << "the first segments by number";
}

TEST(DashboardProgress, AMigrationWithoutABackfillHasNoJobs) {
  Harness h;
  start_running(h, nullptr, nullptr);
  EXPECT_EQ(h.get_json("/api/migrations/" + kBackfill + "/segments"),
            Json({{"migrationId", kBackfill}, {"running", true}, {"jobs", Json::array()}}));
  // Never run, but known to this binary: also no jobs, not a 404.
  const Response never = h.get("/api/migrations/" + kIds[3] + "/segments");
  EXPECT_EQ(never.status, 200) << never.body;
  EXPECT_EQ(Json::parse(never.body)["running"], false);
}

TEST(DashboardProgress, SegmentsRouteValidatesItsId) {
  Harness h;
  const Response unknown = h.get("/api/migrations/20990101000000_nope/segments");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Json::parse(unknown.body), Json({{"error", "Migration not found"}}));
  const Response huge = h.get("/api/migrations/" + std::string(3000, 'a') + "/segments");
  EXPECT_EQ(huge.status, 400);
  EXPECT_EQ(
      Json::parse(huge.body),
      Json({{"error", "Bad request: the id in the path is 3000 bytes long; ids are at most 512 bytes"}}));
  EXPECT_EQ(h.get("/api/migrations/%zz/segments").status, 400) << "malformed percent-encoding";
  EXPECT_EQ(h.get("/api/migrations/" + std::string(513, '%') + "/segments").status, 400);
  // "/segments" alone is not an id with the suffix: it stays the runs route of a migration
  // named "segments" (none here: an empty list).
  const Response bare = h.get("/api/migrations/segments");
  EXPECT_EQ(bare.status, 200);
  EXPECT_EQ(Json::parse(bare.body), Json::array());
  // An encoded slash is part of the id, so this is the runs route of "x/segments".
  EXPECT_EQ(Json::parse(h.get("/api/migrations/x%2Fsegments").body), Json::array());
  EXPECT_EQ(h.get("/api/migrations/" + kBackfill + "/segments/").status, 200) << "one trailing slash";
}

}  // namespace
}  // namespace auric::dashboard::testing
