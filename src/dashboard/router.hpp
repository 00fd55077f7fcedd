// The dashboard's JSON API (docs/dashboard-api.md) as one function: request in, response out,
// no sockets. Every adapter (the local server, the API Gateway handler) calls handle() for
// paths under /api; security checks that depend on how the API is exposed (Host, page token,
// bearer secret, CORS) are the adapters' job. Exceptions never escape: an uncaught failure
// becomes `500 {"error":"Internal server error"}` here, with the details sent to the log.
// Thread-safe as long as the backend is.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "dashboard/backend.hpp"
#include "dashboard/http.hpp"

namespace auric::dashboard {

// Answers of the read-only list routes (GET /api/migrations, /api/migrations/summary,
// /api/status, /api/executions) kept between writes: an entry is reused while the backend's
// data_version() is unchanged and, for answers that depend on the clock (a lease that expires
// by itself), until that time. Bounded to a few entries; thread-safe. One per backend.
class ResponseCache {
 public:
  // The answer kept for `key` at `version`, if it still holds at `now_ms`.
  std::optional<Response> find(const std::string& key, std::uint64_t version, std::int64_t now_ms);
  // Keeps `response` for `key`, computed from the data at `version`, valid before `until_ms`.
  // Forgets every entry of an older version.
  void put(const std::string& key, std::uint64_t version, std::int64_t until_ms, Response response);

 private:
  static constexpr std::size_t kMaxEntries = 16;
  struct Entry {
    std::int64_t until_ms;
    std::shared_ptr<const Response> response;  // copied outside the lock
  };
  std::mutex mutex_;
  std::uint64_t version_ = 0;
  std::map<std::string, Entry> entries_;
};

struct RouterOptions {
  // Receives one line per internal error (the 500s). Default: stderr.
  std::function<void(std::string_view)> log;
  // Reuses list answers between writes when set and the backend has a data_version().
  std::shared_ptr<ResponseCache> cache;
};

// Answers one API request. `request.path` is the raw (percent-encoded) path; paths outside
// /api give 404 JSON.
Response handle(const Request& request, DashboardBackend& backend, const RouterOptions& options = {});

// The LockView of docs/dashboard-api.md: `{"held":false}` unless `lock` is held at `now_ms`;
// `live` adds `current.output` when it is the migration the lock says is running.
Json lock_view(const std::optional<LockInfo>& lock, std::int64_t now_ms,
               const std::optional<LiveOutput>& live = std::nullopt);

// The rows of GET /api/migrations (MigrationView[], sorted by id).
Json migration_views(DashboardBackend& backend);

}  // namespace auric::dashboard
