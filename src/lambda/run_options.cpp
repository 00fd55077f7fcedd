#include "lambda/run_options.hpp"

#include <iostream>

#include "store/dynamodb_store.hpp"

namespace auric::lambda {
namespace {

long long whole_number(const std::string& name, const std::string& text, long long min) {
  if (const auto value = cli::parse_whole_number(text, min)) return *value;
  throw std::invalid_argument(name + " must be a whole number >= " + std::to_string(min) + " (got '" + text +
                              "')");
}

}  // namespace

RunnerOptions runner_options_from_config(const cli::Config& config, const cli::Program& program,
                                         Direction direction) {
  return cli::runner_options(config, program, direction);
}

void log_run_event(const RunEvent& e, Direction dir) {
  cli::print_run_event(e, dir);
}

HandlerSettings handler_settings(const cli::Config& config, const EnvLookup& env) {
  HandlerSettings s;
  s.stop_margin = std::chrono::duration_cast<std::chrono::milliseconds>(config.stop_margin);
  s.max_hops = config.max_hops;
  if (auto v = env("MIGRATION_TIMEOUT_THRESHOLD_MS")) {
    s.stop_margin = std::chrono::milliseconds(whole_number("MIGRATION_TIMEOUT_THRESHOLD_MS", *v, 0));
  }
  if (auto v = env("MIGRATION_MAX_HOPS"))
    s.max_hops = static_cast<int>(whole_number("MIGRATION_MAX_HOPS", *v, 1));
  if (auto v = env("MIGRATION_HANDOVER_TTL_SECONDS")) {
    s.handover_ttl = std::chrono::seconds(whole_number("MIGRATION_HANDOVER_TTL_SECONDS", *v, 1));
  }
  s.function_name = env("AWS_LAMBDA_FUNCTION_NAME").value_or("");
  s.dispatch = dispatch_settings_from_env(env);
  return s;
}

}  // namespace auric::lambda
