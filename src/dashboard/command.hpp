// The `dashboard` command of a migrations binary: serves the web UI and the API on a loopback
// address; each run is a child process of this binary running `up`/`down` (docs/dashboard.md).
// Call register_dashboard_command() before run_cli() (auric::run_main does). Not thread-safe;
// call once from main.
#pragma once

#include <sys/types.h>

#include <string>

namespace auric::dashboard {

void register_dashboard_command();

// Starts `xdg-open <url>` with its stdio on /dev/null, without waiting. The child's pid, or -1
// with `error` (if given) set to why it could not be started. Shared by the `dashboard`
// command and auric-migrate-dashboard.
pid_t spawn_browser(const std::string& url, std::string* error = nullptr);

}  // namespace auric::dashboard
