// `<binary> dashboard [--port N] [--host ADDR] [--no-open]`: one options struct, one setup and
// one run function, like the built-in commands.
#include "dashboard/command.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "core/runner.hpp"
#include "dashboard/local_backend.hpp"
#include "dashboard/local_server.hpp"

extern char** environ;

namespace auric::dashboard {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_dashboard_signal(int sig) {
  if (g_stop.exchange(true)) {
    std::signal(sig, SIG_DFL);  // a second signal stops at once
    std::raise(sig);
  }
}

struct DashboardOptions {
  int port = 3100;
  std::string host = "127.0.0.1";
  bool no_open = false;
};

// Starts the browser; -1 after printing why it could not.
pid_t open_browser(const std::string& url) {
  std::string error;
  const pid_t pid = spawn_browser(url, &error);
  if (pid < 0) {
    std::cout << "(Could not auto-open browser: cannot run xdg-open: " << error << "; navigate manually to "
              << url << ")" << std::endl;
  }
  return pid;
}

int run_dashboard(cli::Session& s, const DashboardOptions& o) {
  try {
    loopback_bind_address(o.host);
  } catch (const std::invalid_argument& e) {
    throw cli::CliError(cli::kExitUsage, e.what());
  }
  const cli::Config& config = s.config();
  // Runs started from the page use the same options as `up`; their progress is printed by the
  // backend's callback (the direction varies per run), and the server's own stop flag is used.
  RunnerOptions ro = cli::runner_options(config, s.program(), Direction::kUp);
  ro.on_event = nullptr;
  ro.stop_requested = nullptr;
  LocalBackend backend(s.migrations(), s.store(), ro,
                       [](Direction dir, const RunEvent& e) { cli::print_run_event(e, dir); });

  LocalServerOptions so;
  so.host = o.host;
  so.port = o.port;
  LocalServer server(backend, so);
  try {
    server.start();
  } catch (const std::runtime_error& e) {
    throw cli::CliError(cli::kExitFailed, e.what());
  }

  g_stop = false;
  std::signal(SIGINT, on_dashboard_signal);
  std::signal(SIGTERM, on_dashboard_signal);
  const std::string url = server.url();
  std::cout << "> Dashboard ready: " << url << std::endl;
  pid_t opener = o.no_open ? -1 : open_browser(url);

  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (opener > 0) {
      int status = 0;
      const pid_t done = ::waitpid(opener, &status, WNOHANG);
      if (done == opener) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
          std::cout << "(Could not auto-open browser: xdg-open failed; navigate manually to " << url << ")"
                    << std::endl;
        }
        opener = -1;
      } else if (done < 0) {
        opener = -1;
      }
    }
  }
  std::cout << "> Shutting down..." << std::endl;
  server.stop();
  backend.request_stop();
  if (backend.busy()) {
    std::cout << "> Waiting for the running migration to finish (press Ctrl-C again to exit at once)..."
              << std::endl;
    backend.wait_idle(std::chrono::hours(24));
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  return cli::kExitOk;
}

}  // namespace

pid_t spawn_browser(const std::string& url, std::string* error) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::string program = "xdg-open";
  std::string arg = url;
  char* argv[] = {program.data(), arg.data(), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, "xdg-open", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    if (error) *error = std::strerror(rc);
    return -1;
  }
  return pid;
}

void register_dashboard_command() {
  cli::register_command(
      {"dashboard", "serve the web dashboard on 127.0.0.1 (runs migrations in this process, under the lock)",
       false, [](CLI::App& sub, const cli::Program&) {
         auto o = std::make_shared<DashboardOptions>();
         sub.add_option("--port", o->port, "port to listen on (default 3100; 0 picks a free port)")
             ->check(CLI::Range(0, 65535));
         sub.add_option("--host", o->host,
                        "loopback address to listen on: 127.0.0.1 (default), ::1 or localhost");
         sub.add_flag("--no-open", o->no_open, "do not open a browser");
         return [o](cli::Session& s) { return run_dashboard(s, *o); };
       }});
}

}  // namespace auric::dashboard
