// The local dashboard's HTTP policy, socket-free: the DNS-rebinding Host check, the per-start
// page token and Origin/Content-Type checks on POST, the embedded static files with the SPA
// fallback, security headers, and /api delegated to the router (docs/dashboard-api.md,
// "Security"). LocalServer feeds it requests from cpp-httplib; tests call it directly.
// Immutable after construction; handle() is thread-safe when the backend is.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dashboard/assets.hpp"
#include "dashboard/backend.hpp"
#include "dashboard/http.hpp"
#include "dashboard/router.hpp"

namespace auric::dashboard {

struct LocalSiteOptions {
  std::string host = "127.0.0.1";  // the bound loopback address: 127.0.0.1 or ::1
  int port = 0;                    // the bound port (never 0 here)
  std::string token;               // the per-start token (64 hex characters)
  std::span<const EmbeddedFile> files = embedded_ui_files();
  RouterOptions router;
};

class LocalSite {
 public:
  // Throws std::invalid_argument when `files` has no /index.html holding the token
  // placeholder exactly once, or the token is empty.
  LocalSite(DashboardBackend& backend, LocalSiteOptions options);

  Response handle(const Request& request) const;

  // The Host values accepted, e.g. {"127.0.0.1:3100", "localhost:3100"}.
  const std::vector<std::string>& allowed_hosts() const { return allowed_hosts_; }

 private:
  Response serve_static(const Request& request) const;
  Response index() const;
  Response check_post(const Request& request) const;

  DashboardBackend& backend_;
  LocalSiteOptions options_;
  std::vector<std::string> allowed_hosts_;
  std::string index_html_;  // with the token substituted
  std::map<std::string, std::string_view, std::less<>> files_;
};

// 32 random bytes from the OS, as 64 lower-case hex characters. Throws std::runtime_error when
// no randomness is available.
std::string new_page_token();

}  // namespace auric::dashboard
