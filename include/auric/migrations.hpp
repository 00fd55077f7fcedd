// The whole API a migration author needs: the Migration model, the Context handed to up()
// and down(), the one-line registration macro, define_migrations(), and run_main() for the
// migrations binary. Registration happens during static initialisation; everything else is
// called from the runner's thread. Context methods are safe to call from any thread that
// the migration itself starts, as long as the migration has not yet returned.
#pragma once

#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

// Build speed (docs/writing-migrations.md, "Build speed"): nlohmann::json's members are
// compiled once, in the auric core library, instead of in every migration file (about a
// quarter of a migration file's compile time). Only for the configuration the library was
// built with: a file that sets JSON_DIAGNOSTICS or the legacy comparison gets its own copy.
// Define AURIC_NO_EXTERN_JSON before including this header to opt out.
#if !defined(AURIC_NO_EXTERN_JSON) && !JSON_DIAGNOSTICS && !JSON_USE_LEGACY_DISCARDED_VALUE_COMPARISON
extern template class nlohmann::basic_json<>;
#endif

namespace auric {

using Json = nlohmann::json;

namespace aws {
class DynamoDbClient;  // complete in <auric/dynamodb.hpp>
}  // namespace aws

struct BackfillSpec;  // complete in <auric/backfill.hpp>
struct BackfillResult;
class BackfillFn;

enum class Direction { kUp, kDown };

// "up" / "down".
std::string_view to_string(Direction direction);

// Levels of captured output lines, as they appear in `[<time>] [<level>] <message>`.
enum class LogLevel { kDebug, kInfo, kWarn, kError };

std::string_view to_string(LogLevel level);

namespace detail {
// Renders one extra argument of Context::log(): strings as they are, JSON compact, numbers
// and booleans in their usual form, anything streamable through operator<<.
template <class T>
std::string render_arg(const T& value) {
  using D = std::decay_t<T>;
  if constexpr (std::is_same_v<D, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<D, Json>) {
    return value.dump();
  } else if constexpr (std::is_convertible_v<const D&, std::string_view>) {
    return std::string(std::string_view(value));
  } else if constexpr (std::is_arithmetic_v<D>) {
    std::ostringstream out;
    out << value;
    return out.str();
  } else {
    std::ostringstream out;
    out << value;
    return out.str();
  }
}
}  // namespace detail

// Writes lines at one level into the running migration's captured output (and echoes them
// to the process's stderr, so they reach the terminal and CloudWatch).
class Logger {
 public:
  virtual ~Logger() = default;
  // Appends `message` (and, when `data` is not null, a space and data as compact JSON).
  virtual void write(LogLevel level, std::string_view message, const Json& data) = 0;

  void debug(std::string_view message, const Json& data = nullptr) { write(LogLevel::kDebug, message, data); }
  void info(std::string_view message, const Json& data = nullptr) { write(LogLevel::kInfo, message, data); }
  void warn(std::string_view message, const Json& data = nullptr) { write(LogLevel::kWarn, message, data); }
  void error(std::string_view message, const Json& data = nullptr) { write(LogLevel::kError, message, data); }
};

// What a running migration can see and do. Owned by the runner; valid only during up()/down().
class Context {
 public:
  virtual ~Context() = default;

  // Captured output at info level: `ctx.log("copied", 42, "rows")` writes "copied 42 rows".
  template <class... Rest>
  void log(std::string_view message, const Rest&... rest) {
    std::string line(message);
    ((line += ' ', line += detail::render_arg(rest)), ...);
    logger().info(line);
  }
  virtual Logger& logger() = 0;

  // The `[context]` table of the config file (an empty object when there is none).
  virtual const Json& config() const = 0;
  // The application's own context object, supplied through RunMainOptions::make_user_context.
  // Throws std::bad_any_cast when it holds another type (or nothing).
  template <class T>
  T& user() {
    return std::any_cast<T&>(user_context());
  }
  virtual std::any& user_context() = 0;

  // A DynamoDB client for the run's region and credentials (include <auric/dynamodb.hpp> to
  // call it): the store's region and endpoint when the store is DynamoDB, else the default
  // AWS chain; `[context]` keys aws_region, dynamodb_endpoint and aws_profile override. Made
  // on first use and shared by the run's migrations (thread-safe). Throws std::runtime_error
  // when no client can be made (no region, or a runner without AWS support).
  aws::DynamoDbClient& dynamodb();

  // Rewrites every item of a DynamoDB table in parallel Scan segments, rate-limited and
  // resumable (include <auric/backfill.hpp>; docs/backfills.md): fn returns the writes for
  // each item (or page). Its segments are kept in the store, and its job id in progress(), so
  // a resumed attempt continues every segment from its saved cursor. Stops (suspending the
  // run) when should_stop(). Throws BackfillFailed when the error policy gives up, AwsError
  // or StoreError when DynamoDB or the store keep failing, std::invalid_argument for a bad
  // spec, std::runtime_error when the runner offers no DynamoDB client or segment store.
  BackfillResult backfill(const BackfillSpec& spec, const BackfillFn& fn);

  virtual const std::string& migration_id() const = 0;
  virtual const std::string& execution_id() const = 0;
  virtual Direction direction() const = 0;

  // Time left before the runner must hand over (Lambda deadline minus the safety margin);
  // std::chrono::milliseconds::max() when the run has no deadline (CLI, Fargate).
  virtual std::chrono::milliseconds time_remaining() const = 0;
  // True when the migration should save a checkpoint and return: the deadline is near, the
  // process was asked to stop (SIGTERM), or the runner lost its lease.
  virtual bool should_stop() const = 0;

  // Saves `progress` durably (fenced by the runner's lease) so that a later attempt of this
  // migration in the same direction can resume. Throws when the lease was lost.
  virtual void checkpoint(const Json& progress) = 0;
  // The last checkpoint saved by an earlier, unfinished attempt in this direction (or by this
  // attempt); null when there is none.
  virtual const Json& progress() const = 0;

  // Saves `progress` and ends this attempt early: the run is recorded `interrupted`
  // ("suspended at a checkpoint") and the next attempt (the next Lambda hop, or the next
  // `up`/`down`) calls this migration again with progress() returning it.
  [[noreturn]] void suspend(const Json& progress);

  // Tells how far this attempt has come: `done` of `total` (nullopt when unknown) `unit`s
  // ("items", "rows"). Only shown, never used to resume (that is checkpoint()): the CLI draws
  // a bar or prints a periodic line, and the value is saved with the run's durable output
  // (at most every 2 s) and kept on the finished run, for `status`, `migration <id>` and the
  // dashboard. A few atomic stores: cheap enough to call for every item, from any thread.
  virtual void report_progress(std::int64_t /*done*/, std::optional<std::int64_t> /*total*/ = std::nullopt,
                               std::string_view /*unit*/ = "items") {}

 protected:
  // The runner's service `name` (e.g. "dynamodb" behind dynamodb()): a pointer to it in a
  // std::any, or an empty any when the runner offers none. Accessors such as dynamodb() are
  // built on it by the part that knows the service's type, so the runner needs none of them.
  virtual std::any service(std::string_view /*name*/) { return {}; }
};

namespace detail {
// Thrown by Context::suspend(). Deliberately not a std::exception, so that a migration's
// `catch (const std::exception&)` does not swallow it.
struct SuspendSignal {};
}  // namespace detail

inline void Context::suspend(const Json& progress) {
  checkpoint(progress);
  throw detail::SuspendSignal{};
}

// One migration. `up` and `down` are both required; each may return a JSON value that is
// stored as the run's `result` (null or an empty object stores nothing).
struct Migration {
  std::string name;         // defaults to the part of the id after the timestamp
  std::string description;  // markdown, snapshotted on every run record
  std::function<Json(Context&)> up;
  std::function<Json(Context&)> down;
};

// A migration with its id (the file stem `YYYYMMDDHHMMSS_<name>`) and the SHA-256 of its
// source (empty when unknown, e.g. migrations built by define_migrations()).
struct MigrationEntry {
  std::string id;
  Migration migration;
  std::string checksum;
};

// Builds the sorted list the runner takes from `{id, migration}` pairs. Throws
// std::invalid_argument naming the offending id for an invalid or duplicate id or a
// migration without up() or down().
std::vector<MigrationEntry> define_migrations(std::vector<std::pair<std::string, Migration>> migrations);

// The migrations registered with AURIC_MIGRATION in this binary, sorted by id. Throws
// std::invalid_argument on invalid or duplicate ids (detected at registration, reported here).
std::vector<MigrationEntry> registered_migrations();

namespace detail {
// Adds a migration to the registry behind registered_migrations(). An empty checksum takes the
// one register_migration_checksum() gives for the id (in any order of static initialisation).
struct Registrar {
  Registrar(std::string_view id, std::string_view checksum, Migration migration);
};

// Records the source checksum of migration `id`. Called by the small checksum unit that
// auric_add_migrations() generates per migration file (which declares it itself, so that it
// needs no header); not for hand-written code.
void register_migration_checksum(const char* id, const char* checksum);

// The migration id of a source file: its name without folders and extension, as CMake's
// NAME_WE ("src/20250101000000_add-orders.cpp" -> "20250101000000_add-orders").
constexpr std::string_view migration_id_of_file(std::string_view path) {
  if (const auto slash = path.find_last_of("/\\"); slash != std::string_view::npos)
    path.remove_prefix(slash + 1);
  return path.substr(0, path.find('.'));
}
}  // namespace detail

struct RunMainOptions {
  // The migrations to offer; empty means registered_migrations().
  std::vector<MigrationEntry> migrations;
  // Builds the object returned by Context::user_context(), once per run, from the
  // config's `[context]` table.
  std::function<std::any(const Json& config)> make_user_context;
};

// The entry point of a migrations binary: the whole CLI (see docs/cli.md). Returns the
// process exit code; never throws.
int run_main(int argc, char** argv, const RunMainOptions& options = {});

}  // namespace auric

// Registers the migration defined in this file:
//
//   AURIC_MIGRATION({
//       .description = "Adds the roles table.",
//       .up = [](auric::Context& ctx) -> auric::Json { ...; return {}; },
//       .down = [](auric::Context& ctx) -> auric::Json { ...; return {}; },
//   });
//
// The id is the stem of the file the macro is written in (__FILE__), so the same compile
// flags serve every migration file; the checksum comes from the unit auric_add_migrations()
// generates beside it. A file compiled by hand may define AURIC_MIGRATION_ID (a string) and
// AURIC_MIGRATION_CHECKSUM before including this header. The registrar's name is unique per
// translation unit (__COUNTER__), so migrations compiled together in a unity build don't clash.
#ifndef AURIC_MIGRATION_ID
#define AURIC_MIGRATION_ID ::auric::detail::migration_id_of_file(__FILE__)
#endif
#ifndef AURIC_MIGRATION_CHECKSUM
#define AURIC_MIGRATION_CHECKSUM ""
#endif
#define AURIC_MIGRATION_CONCAT_INNER(a, b) a##b
#define AURIC_MIGRATION_CONCAT(a, b) AURIC_MIGRATION_CONCAT_INNER(a, b)
#define AURIC_MIGRATION(...)                                                                                \
  static const ::auric::detail::Registrar AURIC_MIGRATION_CONCAT(auric_migration_registrar_, __COUNTER__) { \
    AURIC_MIGRATION_ID, AURIC_MIGRATION_CHECKSUM, ::auric::Migration __VA_ARGS__                            \
  }
