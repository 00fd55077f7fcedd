// The domain records every store keeps, independent of any medium (see docs/table-design.md
// for how DynamoDB lays them out). Plain values; no behaviour beyond small helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auric/migrations.hpp>

namespace auric {

// Status of one run of one migration, and of a migration's state after its latest run.
// kSuspended: the migration saved a checkpoint and stopped on request (SIGINT, SIGTERM, a
// Lambda deadline); not a failure, and the next run in the same direction resumes from it.
enum class RunStatus { kRunning, kCompleted, kFailed, kInterrupted, kSuspended };
std::string_view to_string(RunStatus status);
// Throws std::invalid_argument for an unknown name.
RunStatus run_status_from(std::string_view name);
Direction direction_from(std::string_view name);  // throws std::invalid_argument

// Status of an execution (one `up`/`down` invocation, possibly over several Lambda hops).
// kSuspended: stopped on request (SIGINT, SIGTERM) between migrations or at a checkpoint;
// nothing failed and `up` continues where it stopped.
enum class ExecutionStatus { kRunning, kCompleted, kFailed, kInterrupted, kNeedsContinuation, kSuspended };
std::string_view to_string(ExecutionStatus status);
ExecutionStatus execution_status_from(std::string_view name);  // throws std::invalid_argument

// What made a run or an execution. kRun: migration bodies ran (`up`, `down`, `redo`).
// kManual: an operator changed the recorded state without running any body (`baseline`,
// `mark applied`, `mark rolled-back`, `repair --accept-checksum`); its runs are the audit
// trail. Records written before the field existed read as kRun.
enum class RunKind { kRun, kManual };
std::string_view to_string(RunKind kind);      // "run", "manual"
RunKind run_kind_from(std::string_view name);  // throws std::invalid_argument

// Who ran something and where. Empty strings / 0 mean unknown.
struct Who {
  std::string user;  // OS user
  std::string host;  // host name
  std::int64_t pid = 0;
  std::string aws_principal;      // STS caller ARN when known
  std::string lambda_request_id;  // when running in Lambda
  std::string ecs_task_arn;       // when running on Fargate
  std::string boot_id;            // the host's boot id (Linux), to tell a dead pid on this host
};

// The latest known state of one migration (one per id). Written only under the lock, every
// write fenced (see Store::put_state).
struct MigrationState {
  std::string id;
  RunStatus status = RunStatus::kCompleted;  // status of the latest run
  Direction direction = Direction::kUp;      // direction of the latest run
  bool applied = false;                      // true after a completed up, false after a completed down
  std::string checksum;                      // source checksum when last applied
  std::string last_run_id;
  std::string last_execution_id;
  std::int64_t started_at = 0;               // latest run, epoch ms
  std::optional<std::int64_t> completed_at;  // latest run, epoch ms
  std::optional<std::int64_t> duration_ms;   // latest run
  std::optional<std::int64_t> applied_at;    // when the completed up that applied it finished
  std::int64_t applied_fence = 0;            // fence of the run that applied it (orders applications)
  std::string error;                         // short error of the latest run (≤ 1 KiB)
  bool output_truncated = false;             // the latest run's output lost its oldest lines
  Json progress;                             // checkpoint for the next attempt in `direction`, or null
  std::int64_t fence = 0;                    // fencing token of the last writer
};

// One attempt to run one migration in one direction. Written while it runs (status running,
// with its output so far: Store::put_run) and once more when it ends; never overwritten once
// final.
struct RunRecord {
  std::string run_id;  // UUID
  std::string id;      // migration id
  std::string name;
  RunStatus status = RunStatus::kRunning;
  Direction direction = Direction::kUp;
  std::string execution_id;
  std::int64_t started_at = 0;
  std::optional<std::int64_t> completed_at;
  std::optional<std::int64_t> duration_ms;
  std::string description;  // snapshot at run time
  std::string output;       // captured output (≤ 200 KiB)
  bool output_truncated = false;
  Json result;  // the value up()/down() returned, or null
  std::string error;
  std::string checksum;
  int hop = 0;
  Who who;
  // Set when a field had to be shortened to keep the record under the store's item limit.
  bool description_truncated = false;
  bool result_truncated = false;
  bool error_truncated = false;
  std::int64_t fence = 0;       // fencing token of the last writer (the lease holder)
  std::int64_t updated_at = 0;  // epoch ms of the last write: the run's last durable sign of life
  RunKind kind = RunKind::kRun;
  std::string reason;  // --reason of the command that made it, or empty
  // The latest Context::report_progress ({done, total, unit, updatedAt}: core/live_progress.hpp),
  // saved with the durable output and kept on the final record; null when never reported.
  Json progress;
};

// One invocation of up/down: a batch of runs.
struct ExecutionRecord {
  std::string execution_id;  // UUID
  Direction direction = Direction::kUp;
  std::string target;  // --to, empty for none
  ExecutionStatus status = ExecutionStatus::kRunning;
  Who who;
  std::int64_t started_at = 0;
  std::optional<std::int64_t> completed_at;
  int hop = 0;
  std::vector<std::string> planned;   // ids in plan order
  std::vector<std::string> finished;  // ids completed so far, in order
  std::string error;
  std::int64_t fence = 0;  // fencing token of the last writer
  RunKind kind = RunKind::kRun;
  std::string reason;  // --reason of the command that made it, or empty
};

// What the lock item says about the migration its holder is running right now. It stays in
// place after the holder dies, which is how the next holder finds interrupted work.
struct CurrentRun {
  std::string migration_id;
  std::string run_id;
  std::string execution_id;
  Direction direction = Direction::kUp;
  std::int64_t started_at = 0;
  int hop = 0;
  Json progress;  // latest checkpoint of this run, or null
};

// The single lease lock.
struct LockInfo {
  std::string owner;              // unique per runner: "<host>:<pid>:<uuid>"; empty when free
  std::int64_t fence = 0;         // grows by one on every acquisition; never decreases
  std::int64_t acquired_at = 0;   // epoch ms
  std::int64_t expires_at = 0;    // epoch ms; a lease at or past expiry may be taken over
  std::int64_t heartbeat_at = 0;  // epoch ms of the last renewal
  std::string execution_id;       // the holder's execution
  Who who;
  std::optional<CurrentRun> current;  // set while a migration body runs (and after a crash)

  bool held_at(std::int64_t now_ms) const { return !owner.empty() && expires_at > now_ms; }
};

// A page of a list that can grow, newest first. `next_cursor` is empty on the last page.
template <class T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;
};

}  // namespace auric
