// `<binary> dashboard [--port N] [--host ADDR] [--no-open]`: one options struct, one setup and
// one run function, like the built-in commands.
#include "dashboard/command.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>

#include "app/command.hpp"
#include "app/env.hpp"
#include "app/progress.hpp"
#include "app/runner_options.hpp"
#include "core/runner.hpp"
#include "core/stop_signal.hpp"
#include "dashboard/local_backend.hpp"
#include "dashboard/local_server.hpp"
#include "store/store_url.hpp"

extern char** environ;

namespace auric::dashboard {
namespace {

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

// The global options a run's child needs to see exactly what this dashboard sees: the store
// URL as resolved (explicit, so the child never resolves it differently), the config file read
// and the [env.NAME] applied.
std::vector<std::string> child_global_args(const app::Config& config) {
  std::vector<std::string> args = {"--store", config.store};
  if (!config.source.empty()) {
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(config.source, ec);
    args.insert(args.end(), {"--config", ec ? config.source : absolute.string()});
  }
  if (!config.env.empty()) args.insert(args.end(), {"--env", config.env});
  return args;
}

// Runs become child processes of this binary (`up`/`down` with the same global options), so
// they are captured as from the CLI and a crashing migration ends only its child. A memory:
// store lives in this process only, so its runs stay in process.
std::unique_ptr<LocalBackend> make_backend(app::Session& s, const app::Config& config) {
  Store& store = s.store();
  if (parse_store_url(config.store).scheme == "memory") {
    // Runs started from the page use the same options as `up`; their progress is printed by the
    // backend's callback (the direction varies per run), and the server's own stop flag is used.
    RunnerOptions ro = app::runner_options(config, s.program(), Direction::kUp);
    ro.on_event = nullptr;
    ro.stop_requested = nullptr;
    std::cout << "(memory: store: runs execute inside the dashboard process, without stdout/stderr capture)"
              << std::endl;
    return std::make_unique<LocalBackend>(
        s.migrations(), store, ro, [](Direction dir, const RunEvent& e) { app::print_run_event(e, dir); });
  }
  ChildRunOptions child;
  child.argv0 = s.program().name;
  child.global_args = child_global_args(config);
  child.safety = config.safety;
  child.on_note = [](const std::string& note) { std::cerr << "[dashboard] " << note << std::endl; };
  return std::make_unique<LocalBackend>(s.migrations(), store, std::move(child));
}

int run_dashboard(app::Session& s, const DashboardOptions& o) {
  try {
    loopback_bind_address(o.host);
  } catch (const std::invalid_argument& e) {
    throw app::CommandError(app::kExitUsage, e.what());
  }
  const app::Config& config = s.config();
  const std::unique_ptr<LocalBackend> backend = make_backend(s, config);
  backend->set_identity({store_identity(config.store, app::process_env), config.env});

  LocalServerOptions so;
  so.host = o.host;
  so.port = o.port;
  LocalServer server(*backend, so);
  try {
    server.start();
  } catch (const std::runtime_error& e) {
    throw app::CommandError(app::kExitFailed, e.what());
  }

  // The first SIGINT/SIGTERM shuts down gracefully; a second one stops at once.
  const StopSignalScope signals;
  const std::atomic<bool>& stop = stop_signal_flag();
  const std::string url = server.url();
  std::cout << "> Dashboard ready: " << url << std::endl;
  pid_t opener = o.no_open ? -1 : open_browser(url);

  while (!stop) {
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
  backend->request_stop();
  if (backend->busy()) {
    std::cout << "> Waiting for the running migration to finish (press Ctrl-C again to exit at once)..."
              << std::endl;
    backend->wait_idle(std::chrono::hours(24));
  }
  return app::kExitOk;
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
  app::register_command(
      {"dashboard",
       "serve the web dashboard on 127.0.0.1 (each run is an `up`/`down` child process, under the lock)",
       false, [](CLI::App& sub, const app::Program&) {
         auto o = std::make_shared<DashboardOptions>();
         sub.add_option("--port", o->port, "port to listen on (default 3100; 0 picks a free port)")
             ->check(CLI::Range(0, 65535));
         sub.add_option("--host", o->host,
                        "loopback address to listen on: 127.0.0.1 (default), ::1 or localhost");
         sub.add_flag("--no-open", o->no_open, "do not open a browser");
         return [o](app::Session& s) { return run_dashboard(s, *o); };
       }});
}

}  // namespace auric::dashboard
