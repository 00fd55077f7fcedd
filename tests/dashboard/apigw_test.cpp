// The API Gateway (HTTP API v2) adapter and the remote backend: event in, v2 result out, the
// bearer secret, CORS for one origin, base64 bodies, and the migration function seen through
// a fake FunctionInvoker (status, async runs, "not available").
#include <mutex>

#include <gtest/gtest.h>

#include "core/system.hpp"
#include "dashboard/apigw.hpp"
#include "dashboard/http.hpp"
#include "dashboard/remote_backend.hpp"
#include "fixture.hpp"

#ifdef AURIC_DASHBOARD_TEST_LAMBDA
#include "dashboard/lambda_invoker.hpp"
#include "store/open_store.hpp"
#endif

namespace auric::dashboard::testing {
namespace {

// An HTTP API v2 event as API Gateway sends it (trimmed to the fields the adapter reads).
Json event(const std::string& method, const std::string& raw_path, const std::string& query = "",
           Json headers = Json::object(), const std::optional<std::string>& body = std::nullopt,
           bool base64 = false) {
  Json e = Json::parse(R"({
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/",
    "rawQueryString": "",
    "headers": {"accept": "application/json", "host": "abc123.execute-api.eu-west-1.amazonaws.com"},
    "requestContext": {
      "accountId": "123456789012", "apiId": "abc123", "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
      "http": {"method": "GET", "path": "/", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "test"},
      "requestId": "req-1", "routeKey": "$default", "stage": "$default", "time": "01/Jun/2025:12:00:00 +0000",
      "timeEpoch": 1748779200000
    },
    "isBase64Encoded": false
  })");
  e["rawPath"] = raw_path;
  e["rawQueryString"] = query;
  e["requestContext"]["http"]["method"] = method;
  e["requestContext"]["http"]["path"] = raw_path;
  for (const auto& [k, v] : headers.items()) e["headers"][k] = v;
  if (body) e["body"] = *body;
  e["isBase64Encoded"] = base64;
  return e;
}

class FakeInvoker final : public FunctionInvoker {
 public:
  Json invoke(const Json& payload) override {
    std::lock_guard lock(mutex_);
    sync_calls.push_back(payload);
    if (fail) throw std::runtime_error("Lambda MigrationFn error: boom");
    return status_answer;
  }
  void invoke_async(const Json& payload) override {
    std::lock_guard lock(mutex_);
    async_calls.push_back(payload);
  }
  std::vector<Json> sync_calls, async_calls;
  Json status_answer = {{"pending", {"20240104000000_create_orders"}},
                        {"completed", {"20240101000000_create_users"}},
                        {"failed", Json::array()},
                        {"migrations", Json::array()}};
  bool fail = false;

 private:
  std::mutex mutex_;
};

std::vector<MigrationInfo> infos() {
  std::vector<MigrationInfo> out;
  for (const auto& id : kIds) out.push_back({id, id.substr(15), "", ""});
  return out;
}

struct Deployed {
  std::unique_ptr<Store> store = open_store("memory:");
  std::shared_ptr<FakeInvoker> invoker = std::make_shared<FakeInvoker>();
  RemoteBackend with_function{*store, RemoteBackendOptions{infos(), invoker}};
  RemoteBackend without_function{*store, RemoteBackendOptions{infos(), nullptr}};
  ApiGatewayOptions auth{.bearer_secret = "s3cret-token", .router = {[](std::string_view) {}}};
  ApiGatewayOptions open{.auth_disabled = true, .router = {[](std::string_view) {}}};
};

Json body_of(const Json& result) {
  return Json::parse(result["body"].get<std::string>());
}

TEST(ApiGateway, ResultHasTheV2Shape) {
  Deployed d;
  const Json r = handle_apigw_event(event("GET", "/api/migrations"), d.with_function, d.open);
  EXPECT_EQ(r["statusCode"], 200);
  EXPECT_EQ(r["isBase64Encoded"], false);
  EXPECT_EQ(r["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(r["headers"]["Cache-Control"], "no-store");
  const Json rows = body_of(r);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0]["status"], "pending");
}

TEST(ApiGateway, BearerSecretIsRequiredOnEveryApiRequest) {
  Deployed d;
  for (const Json& headers :
       {Json::object(), Json{{"authorization", "Bearer wrong"}},
        Json{{"authorization", "Basic czNjcmV0LXRva2Vu"}}, Json{{"authorization", "Bearer "}},
        Json{{"authorization", "Bearer s3cret-token2"}}}) {
    const Json r = handle_apigw_event(event("GET", "/api/lock", "", headers), d.with_function, d.auth);
    EXPECT_EQ(r["statusCode"], 401) << headers;
    EXPECT_EQ(r["headers"]["WWW-Authenticate"], "Bearer");
    EXPECT_EQ(body_of(r), Json({{"error", "Unauthorized"}}));
  }
  const Json post =
      handle_apigw_event(event("POST", "/api/rollback", "", Json::object(), "{}"), d.with_function, d.auth);
  EXPECT_EQ(post["statusCode"], 401);
  EXPECT_TRUE(d.invoker->async_calls.empty()) << "an unauthenticated rollback never reaches the function";

  const Json ok = handle_apigw_event(
      event("GET", "/api/lock", "", {{"authorization", "Bearer s3cret-token"}}), d.with_function, d.auth);
  EXPECT_EQ(ok["statusCode"], 200);
  EXPECT_EQ(body_of(ok), Json({{"held", false}}));
  const Json upper = handle_apigw_event(
      event("GET", "/api/lock", "", {{"Authorization", "Bearer s3cret-token"}}), d.with_function, d.auth);
  EXPECT_EQ(upper["statusCode"], 200) << "header names are case-insensitive";
}

TEST(ApiGateway, NoSecretAndAuthNotDisabledRefusesEverything) {
  Deployed d;
  std::vector<std::string> logged;
  ApiGatewayOptions misconfigured{.router = {[&](std::string_view l) { logged.emplace_back(l); }}};
  const Json r = handle_apigw_event(event("GET", "/api/migrations"), d.with_function, misconfigured);
  EXPECT_EQ(r["statusCode"], 503);
  EXPECT_EQ(body_of(r)["error"], "Dashboard API authentication is not configured");
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find("AURIC_DASHBOARD_TOKEN"), std::string::npos);
}

TEST(ApiGateway, OptionsFromTheEnvironment) {
  std::map<std::string, std::string> env = {{"AURIC_DASHBOARD_TOKEN", "abc"},
                                            {"AURIC_DASHBOARD_ORIGIN", "https://dash.example.com/"}};
  auto lookup = [&](const std::string& k) -> std::optional<std::string> {
    auto it = env.find(k);
    return it == env.end() ? std::nullopt : std::optional(it->second);
  };
  ApiGatewayOptions o = api_gateway_options_from_env(lookup);
  EXPECT_EQ(o.bearer_secret, "abc");
  EXPECT_FALSE(o.auth_disabled);
  EXPECT_EQ(o.allowed_origin, "https://dash.example.com");
  env["AURIC_DASHBOARD_AUTH"] = "off";
  EXPECT_TRUE(api_gateway_options_from_env(lookup).auth_disabled);
  env["AURIC_DASHBOARD_AUTH"] = "on";
  EXPECT_FALSE(api_gateway_options_from_env(lookup).auth_disabled);
}

TEST(ApiGateway, CorsNamesOnlyTheConfiguredOrigin) {
  Deployed d;
  d.auth.allowed_origin = "https://dash.example.com";
  const Json preflight = handle_apigw_event(
      event("OPTIONS", "/api/migrate", "",
            {{"origin", "https://dash.example.com"}, {"access-control-request-method", "POST"}}),
      d.with_function, d.auth);
  EXPECT_EQ(preflight["statusCode"], 204) << "preflights need no auth";
  EXPECT_EQ(preflight["headers"]["Access-Control-Allow-Origin"], "https://dash.example.com");
  EXPECT_EQ(preflight["headers"]["Access-Control-Allow-Headers"], "Authorization, Content-Type");
  EXPECT_EQ(preflight["headers"]["Access-Control-Allow-Methods"], "GET, POST, OPTIONS");
  EXPECT_EQ(preflight["headers"]["Vary"], "Origin");

  const Json get = handle_apigw_event(
      event("GET", "/api/executions", "",
            {{"origin", "https://dash.example.com"}, {"authorization", "Bearer s3cret-token"}}),
      d.with_function, d.auth);
  EXPECT_EQ(get["statusCode"], 200);
  EXPECT_EQ(get["headers"]["Access-Control-Allow-Origin"], "https://dash.example.com");
  EXPECT_EQ(get["headers"]["Access-Control-Expose-Headers"], "X-Next-Cursor");
  const Json unauthorized = handle_apigw_event(
      event("GET", "/api/executions", "", {{"origin", "https://dash.example.com"}}), d.with_function, d.auth);
  EXPECT_EQ(unauthorized["headers"]["Access-Control-Allow-Origin"], "https://dash.example.com")
      << "the browser must be able to read the 401 to show the sign-in form";

  const Json evil = handle_apigw_event(
      event("GET", "/api/executions", "",
            {{"origin", "https://evil.example"}, {"authorization", "Bearer s3cret-token"}}),
      d.with_function, d.auth);
  EXPECT_FALSE(evil["headers"].contains("Access-Control-Allow-Origin"));
  d.auth.allowed_origin.clear();
  const Json none = handle_apigw_event(
      event("GET", "/api/executions", "",
            {{"origin", "https://dash.example.com"}, {"authorization", "Bearer s3cret-token"}}),
      d.with_function, d.auth);
  EXPECT_FALSE(none["headers"].contains("Access-Control-Allow-Origin"));
  for (const auto& [k, v] : none["headers"].items()) EXPECT_NE(v, "*") << k;
}

TEST(ApiGateway, Base64BodiesAreDecoded) {
  Deployed d;
  const Json r = handle_apigw_event(event("POST", "/api/migrate", "", Json::object(),
                                          base64_encode(R"({"target":"backfill_totals"})"), true),
                                    d.with_function, d.open);
  EXPECT_EQ(r["statusCode"], 200) << r;
  ASSERT_EQ(d.invoker->async_calls.size(), 1u);
  EXPECT_EQ(d.invoker->async_calls[0]["target"], "backfill_totals");
  const Json bad = handle_apigw_event(event("POST", "/api/migrate", "", Json::object(), "***", true),
                                      d.with_function, d.open);
  EXPECT_EQ(bad["statusCode"], 400);
  EXPECT_EQ(d.invoker->async_calls.size(), 1u);
  const Json plain_but_flagged =
      handle_apigw_event(event("POST", "/api/migrate", "", Json::object(), base64_encode("{oops"), true),
                         d.with_function, d.open);
  EXPECT_EQ(body_of(plain_but_flagged), Json({{"error", "Invalid JSON"}}));
}

TEST(ApiGateway, QueryAndPathAreRoutedLikeTheLocalServer) {
  Deployed d;
  const Json plan =
      handle_apigw_event(event("GET", "/api/plan", "direction=up&steps=2"), d.with_function, d.open);
  EXPECT_EQ(body_of(plan), Json({{"direction", "up"}, {"steps", 2}, {"migrations", {kIds[0], kIds[1]}}}));
  EXPECT_EQ(handle_apigw_event(event("GET", "/api/nope"), d.with_function, d.open)["statusCode"], 404);
  EXPECT_EQ(handle_apigw_event(event("GET", "/index.html"), d.with_function, d.open)["statusCode"], 404);
  EXPECT_EQ(
      handle_apigw_event(event("GET", "/api/executions", "limit=999"), d.with_function, d.open)["statusCode"],
      400);
  EXPECT_EQ(handle_apigw_event(Json::parse(R"({"hello":"world"})"), d.with_function, d.open)["statusCode"],
            400);
  EXPECT_EQ(handle_apigw_event(Json("not an object"), d.with_function, d.open)["statusCode"], 400);
}

TEST(RemoteBackend, WithoutAFunctionRunsAreNotAvailable) {
  Deployed d;
  const Json migrate =
      handle_apigw_event(event("POST", "/api/migrate", "", Json::object(), "{}"), d.without_function, d.open);
  EXPECT_EQ(migrate["statusCode"], 400);
  EXPECT_EQ(body_of(migrate),
            Json({{"message", "Migrate is not available. Set MIGRATION_FUNCTION_NAME to enable it."},
                  {"invoked", false}}));
  const Json rollback = handle_apigw_event(event("POST", "/api/rollback"), d.without_function, d.open);
  EXPECT_EQ(body_of(rollback)["message"],
            "Rollback is not available. Set MIGRATION_FUNCTION_NAME to enable it.");
  const Json status = handle_apigw_event(event("GET", "/api/status"), d.without_function, d.open);
  EXPECT_EQ(body_of(status),
            Json({{"pending", Json::array()}, {"completed", Json::array()}, {"failed", Json::array()}}));
  const Json bad = handle_apigw_event(event("POST", "/api/migrate", "", Json::object(), "{oops"),
                                      d.without_function, d.open);
  EXPECT_EQ(body_of(bad), Json({{"error", "Invalid JSON"}}));
}

TEST(RemoteBackend, StatusComesFromTheFunction) {
  Deployed d;
  const Json status = handle_apigw_event(event("GET", "/api/status"), d.with_function, d.open);
  EXPECT_EQ(body_of(status), Json({{"pending", {"20240104000000_create_orders"}},
                                   {"completed", {"20240101000000_create_users"}},
                                   {"failed", Json::array()}}));
  ASSERT_EQ(d.invoker->sync_calls.size(), 1u);
  EXPECT_EQ(d.invoker->sync_calls[0], Json({{"action", "status"}}));
  d.invoker->fail = true;
  EXPECT_EQ(handle_apigw_event(event("GET", "/api/status"), d.with_function, d.open)["statusCode"], 500);
}

TEST(RemoteBackend, RunsAreInvokedAsynchronouslyWithTheirExecutionId) {
  Deployed d;
  const Json r = handle_apigw_event(
      event("POST", "/api/rollback", "", {{"content-type", "application/json"}}, R"({"steps": 2})"),
      d.with_function, d.open);
  ASSERT_EQ(r["statusCode"], 200) << r;
  const Json answer = body_of(r);
  EXPECT_EQ(answer["message"], "Rollback initiated");
  EXPECT_EQ(answer["invoked"], true);
  ASSERT_EQ(d.invoker->async_calls.size(), 1u);
  EXPECT_EQ(d.invoker->async_calls[0],
            Json({{"direction", "down"}, {"executionId", answer["executionId"]}, {"steps", 2}}));
  EXPECT_TRUE(d.invoker->sync_calls.empty());
}

TEST(RemoteBackend, AHeldLockIs409WithoutInvoking) {
  Deployed d;
  LockRequest req{"lambda:1:aa", "e-1", Who{.lambda_request_id = "req-9"}, system_now_ms(), 60'000};
  ASSERT_TRUE(d.store->try_acquire_lock(req).acquired);
  const Json r =
      handle_apigw_event(event("POST", "/api/migrate", "", Json::object(), "{}"), d.with_function, d.open);
  EXPECT_EQ(r["statusCode"], 409);
  EXPECT_EQ(body_of(r)["holder"]["who"]["lambdaRequestId"], "req-9");
  EXPECT_TRUE(d.invoker->async_calls.empty());
}

#ifdef AURIC_DASHBOARD_TEST_LAMBDA
TEST(LambdaInvoker, NeedsAResolvableEndpoint) {
  aws::ClientConfig config;  // no region, no endpoint
  EXPECT_THROW(make_lambda_invoker(config, "MigrationFn"), std::invalid_argument);
}
#endif

}  // namespace
}  // namespace auric::dashboard::testing
