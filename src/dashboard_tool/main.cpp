// auric-migrate-dashboard: flags, signals and the `error: <message>` / exit 1 convention
// around run_tool() (tool.hpp).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "dashboard_tool/prompt.hpp"
#include "dashboard_tool/tool.hpp"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int sig) {
  if (g_stop.exchange(true)) {
    std::signal(sig, SIG_DFL);  // a second signal stops at once
    std::raise(sig);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace auric::dashboard_tool;
  CLI::App app{"Serve the migrations dashboard locally against a deployed AWS stack",
               "auric-migrate-dashboard"};
  app.set_version_flag("--version", std::string("auric-migrate-dashboard ") + AURIC_VERSION);
  ToolOptions options;
  std::string port = std::to_string(kDefaultPort);
  app.add_option("-p,--profile", options.profile, "AWS profile");
  app.add_option("-r,--region", options.region, "AWS region");
  app.add_option("--function-name", options.function_name, "the migration Lambda (skips discovery)");
  app.add_option("--table-name", options.table_name, "the migrations table (skips discovery)");
  app.add_option("--port", port, "port on 127.0.0.1 (default 3100; 0 picks a free port)");
  app.add_flag("--no-open", options.no_open, "do not open a browser");
  app.add_flag("--non-interactive", options.non_interactive, "never prompt (fail instead)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  options.port = parse_port(port);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  TerminalPrompter terminal(stdin, stdout);
  ToolHooks hooks;
  hooks.prompter = stdin_is_terminal() ? &terminal : nullptr;
  hooks.stop = &g_stop;
  try {
    return run_tool(options, hooks);
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  }
}
