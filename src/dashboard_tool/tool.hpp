// `auric-migrate-dashboard`: the local dashboard against a deployed AWS stack
// (docs/dashboard-tool.md). One options struct and one run function; main.cpp parses the
// flags and installs the signal handlers. Every AWS call (STS, Lambda, DynamoDB) uses the
// one credentials provider of the chosen profile. Not reentrant (one run per process).
#pragma once

#include <atomic>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "aws/environment.hpp"

namespace auric::dashboard_tool {

class Prompter;

inline constexpr int kDefaultPort = 3100;

struct ToolOptions {
  std::string profile;        // -p/--profile
  std::string region;         // -r/--region
  std::string function_name;  // --function-name: skip Lambda discovery
  std::string table_name;     // --table-name: skip table discovery
  int port = kDefaultPort;    // 0 = a free port
  bool no_open = false;
  bool non_interactive = false;
};

// `--port` text → port: an integer in 0..65535, else kDefaultPort (as the reference).
int parse_port(const std::string& text);

struct ReadyInfo {
  std::string url, profile, region, function_name, table_name, account, arn;
};

struct ToolHooks {
  std::shared_ptr<const aws::Environment> env;  // nullptr = the process environment
  Prompter* prompter = nullptr;                 // nullptr = no terminal: never ask
  std::ostream* out = nullptr;                  // progress lines; nullptr = std::cout
  std::ostream* err = nullptr;                  // diagnostics; nullptr = std::cerr
  std::function<void(const ReadyInfo&)> on_ready;
  const std::atomic<bool>* stop = nullptr;                   // the server runs until this is true
  std::function<bool(const std::string& url)> open_browser;  // default: xdg-open
};

// Runs the tool until *hooks.stop. Returns 0; throws ToolError (and AWS / store errors) for
// failures, which main prints as `error: <message>` with exit 1.
int run_tool(const ToolOptions& options, const ToolHooks& hooks);

}  // namespace auric::dashboard_tool
