// The `dashboard` command of a migrations binary: serves the web UI and the API on a loopback
// address and runs migrations in-process (docs/dashboard.md). Call register_dashboard_command()
// before run_cli() (auric::run_main does). Not thread-safe; call once from main.
#pragma once

namespace auric::dashboard {

void register_dashboard_command();

}  // namespace auric::dashboard
