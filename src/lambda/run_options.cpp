#include "lambda/run_options.hpp"

#include <stdexcept>
#include <string>

namespace auric::lambda {
namespace {

long long whole_number(const std::string& name, const std::string& text, long long min) {
  if (const auto value = app::parse_whole_number(text, min)) return *value;
  throw std::invalid_argument(name + " must be a whole number >= " + std::to_string(min) + " (got '" + text +
                              "')");
}

}  // namespace

HandlerSettings handler_settings(const app::Config& config, const app::EnvLookup& env) {
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
  // The same variable as a fargate:N worker's (backfill_worker.cpp): one name for the lease.
  if (auto v = env("MIGRATION_BACKFILL_LEASE_SECONDS")) {
    s.backfill_lease = std::chrono::seconds(whole_number("MIGRATION_BACKFILL_LEASE_SECONDS", *v, 1));
  }
  s.function_name = env("AWS_LAMBDA_FUNCTION_NAME").value_or("");
  s.dispatch = dispatch_settings_from_env(env);
  return s;
}

}  // namespace auric::lambda
