#include "tools/dashboard_api_lambda.hpp"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "app/env.hpp"
#include "aws/session.hpp"
#include "dashboard/apigw.hpp"
#include "dashboard/lambda_invoker.hpp"
#include "dashboard/remote_backend.hpp"
#include "lambda/entry.hpp"
#include "lambda/runtime_api.hpp"

namespace auric {
std::optional<int> run_dashboard_api_lambda_if_selected(int argc, const app::Program& program) {
  const auto endpoint = app::process_env("AWS_LAMBDA_RUNTIME_API");
  if (!endpoint || argc > 1 || app::process_env("AURIC_LAMBDA_MODE").value_or("") != "dashboard-api") {
    return std::nullopt;
  }
  lambda::RuntimeLoopOptions loop;
  loop.endpoint = *endpoint;
  const app::ConfigOverrides overrides = lambda::lambda_config_overrides();
  app::Session session(program, overrides, false);
  std::unique_ptr<dashboard::RemoteBackend> backend;
  dashboard::ApiGatewayOptions api;
  return lambda::run_runtime_loop(loop, [&]() -> lambda::InvocationHandler {
    api = dashboard::api_gateway_options_from_env(app::process_env);
    dashboard::RemoteBackendOptions options;
    options.migrations = dashboard::migration_infos(session.migrations());
    options.safety = session.config().safety;
    options.identity = {dashboard::store_identity(session.config().store, app::process_env),
                        session.config().env};
    if (auto function = app::process_env("MIGRATION_FUNCTION_NAME")) {
      options.invoker = dashboard::make_lambda_invoker(aws::make_client_config({}), *function);
    }
    backend = std::make_unique<dashboard::RemoteBackend>(session.store(), std::move(options));
    std::cerr << "[migrations-api] dashboard API ready: store " << session.store().describe()
              << (app::process_env("MIGRATION_FUNCTION_NAME")
                      ? ""
                      : " (no MIGRATION_FUNCTION_NAME: runs unavailable)")
              << std::endl;
    return [&](const lambda::Invocation& invocation) {
      const Json event = Json::parse(invocation.body, nullptr, /*allow_exceptions=*/false);
      if (event.is_discarded()) {
        const Json bad = {{"statusCode", 400},
                          {"headers", {{"content-type", "application/json"}}},
                          {"body", Json{{"error", "the invocation payload is not JSON"}}.dump()}};
        return lambda::InvocationResponse::success(bad.dump());
      }
      return lambda::InvocationResponse::success(dashboard::handle_apigw_event(event, *backend, api).dump());
    };
  });
}

}  // namespace auric
