// The `dashboard-api` Lambda mode: the same binary, deployed behind an API Gateway HTTP API
// (v2 events), serves the dashboard API from the store and invokes the migration function
// (MIGRATION_FUNCTION_NAME) for status, migrate and rollback. Selected by
// AURIC_LAMBDA_MODE=dashboard-api. Call from main's thread only.
#pragma once

#include <optional>

#include "app/session.hpp"

namespace auric {

// Runs the Runtime API loop answering HTTP API v2 events with the dashboard router, or
// returns nullopt when AWS_LAMBDA_RUNTIME_API is unset or the mode is not `dashboard-api`.
std::optional<int> run_dashboard_api_lambda_if_selected(int argc, const app::Program& program);

}  // namespace auric
