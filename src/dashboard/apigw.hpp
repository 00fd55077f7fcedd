// The dashboard API behind API Gateway (HTTP API, payload format 2.0): turns the event into a
// Request for the router and the Response into the v2 result, and adds what only the deployed
// API needs: a bearer secret on every /api request (unless explicitly disabled) and CORS for
// one configured site origin. The `dashboard-api` Lambda mode calls handle_apigw_event() from
// its Runtime API loop. Pure apart from the backend; thread-safe when the backend is.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <auric/migrations.hpp>

#include "dashboard/backend.hpp"
#include "dashboard/router.hpp"

namespace auric::dashboard {

struct ApiGatewayOptions {
  // The secret every request must carry as `Authorization: Bearer <secret>`.
  std::string bearer_secret;
  // True only when auth was explicitly turned off (AURIC_DASHBOARD_AUTH=off). With neither a
  // secret nor this, every /api request is refused (503): the API never runs open by accident.
  bool auth_disabled = false;
  // The static site's origin (e.g. "https://dash.example.com"): CORS answers name exactly it.
  // Empty: no CORS headers (site and API share an origin).
  std::string allowed_origin;
  RouterOptions router;
};

// Reads AURIC_DASHBOARD_TOKEN (the bearer secret), AURIC_DASHBOARD_AUTH ("off" disables auth)
// and AURIC_DASHBOARD_ORIGIN through `env`.
ApiGatewayOptions api_gateway_options_from_env(
    const std::function<std::optional<std::string>(const std::string&)>& env);

// Answers one HTTP API v2 event with the v2 result `{statusCode, headers, body,
// isBase64Encoded}`. Never throws: a malformed event gives a 400 result.
Json handle_apigw_event(const Json& event, DashboardBackend& backend, const ApiGatewayOptions& options);

}  // namespace auric::dashboard
