// The dashboard's JSON API (docs/dashboard-api.md) as one function: request in, response out,
// no sockets. Every adapter (the local server, the API Gateway handler) calls handle() for
// paths under /api; security checks that depend on how the API is exposed (Host, page token,
// bearer secret, CORS) are the adapters' job. Exceptions never escape: an uncaught failure
// becomes `500 {"error":"Internal server error"}` here, with the details sent to the log.
// Thread-safe as long as the backend is.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "dashboard/backend.hpp"
#include "dashboard/http.hpp"

namespace auric::dashboard {

struct RouterOptions {
  // Receives one line per internal error (the 500s). Default: stderr.
  std::function<void(std::string_view)> log;
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
