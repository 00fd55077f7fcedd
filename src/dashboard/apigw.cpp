#include "dashboard/apigw.hpp"

#include <iostream>

#include "dashboard/http.hpp"

namespace auric::dashboard {
namespace {

std::string string_at(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Json to_result(const Response& r) {
  Json headers = Json::object();
  for (const auto& [name, value] : r.headers) headers[name] = value;
  return {{"statusCode", r.status}, {"headers", headers}, {"body", r.body}, {"isBase64Encoded", false}};
}

void add_cors(Response& r, const Request& request, const ApiGatewayOptions& options) {
  if (options.allowed_origin.empty()) return;
  r.headers["Vary"] = "Origin";
  if (request.header("Origin") != options.allowed_origin) return;
  r.headers["Access-Control-Allow-Origin"] = options.allowed_origin;
  r.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS";
  r.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type";
  r.headers["Access-Control-Expose-Headers"] = "X-Next-Cursor";
  r.headers["Access-Control-Max-Age"] = "600";
}

Response answer(const Request& request, DashboardBackend& backend, const ApiGatewayOptions& options) {
  if (request.method == "OPTIONS") {
    Response r;
    r.status = 204;
    return r;  // preflight: no auth (browsers send none); CORS added by the caller
  }
  if (!options.auth_disabled) {
    if (options.bearer_secret.empty()) {
      const std::string line =
          "dashboard API refused a request: no access token is configured "
          "(set AURIC_DASHBOARD_TOKEN, or AURIC_DASHBOARD_AUTH=off to run it open)";
      if (options.router.log)
        options.router.log(line);
      else
        std::cerr << "[dashboard] " << line << std::endl;
      return Response::error(503, "Dashboard API authentication is not configured");
    }
    const std::string auth = request.header("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    const bool ok = auth.size() > kBearer.size() && auth.compare(0, kBearer.size(), kBearer) == 0 &&
                    constant_time_equal(std::string_view(auth).substr(kBearer.size()), options.bearer_secret);
    if (!ok) {
      Response r = Response::error(401, "Unauthorized");
      r.headers["WWW-Authenticate"] = "Bearer";
      return r;
    }
  }
  return handle(request, backend, options.router);
}

}  // namespace

ApiGatewayOptions api_gateway_options_from_env(
    const std::function<std::optional<std::string>(const std::string&)>& env) {
  ApiGatewayOptions o;
  o.bearer_secret = env("AURIC_DASHBOARD_TOKEN").value_or("");
  const std::string auth = env("AURIC_DASHBOARD_AUTH").value_or("");
  o.auth_disabled = auth == "off" || auth == "OFF" || auth == "Off";
  o.allowed_origin = env("AURIC_DASHBOARD_ORIGIN").value_or("");
  while (!o.allowed_origin.empty() && o.allowed_origin.back() == '/') o.allowed_origin.pop_back();
  return o;
}

Json handle_apigw_event(const Json& event, DashboardBackend& backend, const ApiGatewayOptions& options) {
  Request request;
  try {
    if (!event.is_object()) return to_result(Response::error(400, "Bad request: not an HTTP API v2 event"));
    const Json* http = nullptr;
    if (auto rc = event.find("requestContext"); rc != event.end() && rc->is_object()) {
      if (auto h = rc->find("http"); h != rc->end() && h->is_object()) http = &*h;
    }
    request.method = http ? string_at(*http, "method") : std::string();
    if (request.method.empty())
      return to_result(Response::error(400, "Bad request: not an HTTP API v2 event"));
    request.path = string_at(event, "rawPath");
    if (request.path.empty()) request.path = "/";
    request.query = string_at(event, "rawQueryString");
    if (auto h = event.find("headers"); h != event.end() && h->is_object()) {
      for (const auto& [name, value] : h->items()) {
        if (value.is_string()) request.headers.emplace(name, value.get<std::string>());
      }
    }
    // HTTP API v2 passes cookies separately; the dashboard uses none.
    std::string body = string_at(event, "body");
    if (auto b = event.find("isBase64Encoded"); b != event.end() && b->is_boolean() && b->get<bool>()) {
      auto decoded = base64_decode(body);
      if (!decoded) {
        Response r = Response::error(400, "Bad request: body is not valid base64");
        add_cors(r, request, options);
        return to_result(r);
      }
      body = std::move(*decoded);
    }
    request.body = std::move(body);
  } catch (const std::exception&) {
    return to_result(Response::error(400, "Bad request: not an HTTP API v2 event"));
  }
  Response r = answer(request, backend, options);
  add_cors(r, request, options);
  return to_result(r);
}

}  // namespace auric::dashboard
