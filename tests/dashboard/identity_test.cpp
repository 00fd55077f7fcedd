// GET /api/identity: which store and environment a dashboard shows, for every store URL form,
// through the local and the deployed (API Gateway) backends, and never a secret.
#include <map>

#include <gtest/gtest.h>

#include "dashboard/apigw.hpp"
#include "dashboard/identity.hpp"
#include "dashboard/remote_backend.hpp"
#include "fixture.hpp"
#include "store/open_store.hpp"

namespace auric::dashboard::testing {
namespace {

IdentityEnv env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Identity, SqliteShowsTheFileWithoutItsOptions) {
  const StoreIdentity s = store_identity("sqlite:./app.db?sync=full");
  EXPECT_EQ(s.scheme, "sqlite");
  EXPECT_EQ(s.path, "./app.db");
  EXPECT_EQ(s.label, "sqlite: ./app.db");
  EXPECT_EQ(identity_json({s, ""}),
            (Json{{"store", {{"scheme", "sqlite"}, {"path", "./app.db"}, {"label", "sqlite: ./app.db"}}}}));
}

TEST(Identity, MemoryShowsItsName) {
  EXPECT_EQ(store_identity("memory:shared").label, "memory: shared");
  EXPECT_EQ(store_identity("memory:shared").name, "shared");
  const StoreIdentity unnamed = store_identity("memory:");
  EXPECT_EQ(unnamed.name, "");
  EXPECT_EQ(unnamed.label, "memory: (private to this process)");
}

TEST(Identity, DynamoDbShowsTableAndRegion) {
  const StoreIdentity s = store_identity("dynamodb:migrations-prod?region=eu-west-1");
  EXPECT_EQ(s.scheme, "dynamodb");
  EXPECT_EQ(s.table, "migrations-prod");
  EXPECT_EQ(s.region, "eu-west-1");
  EXPECT_EQ(s.endpoint, "");
  EXPECT_EQ(s.label, "dynamodb: migrations-prod (eu-west-1)");
}

TEST(Identity, DynamoDbTakesRegionEndpointAndProfileFromTheEnvironmentWhenTheUrlHasNone) {
  const StoreIdentity s =
      store_identity("dynamodb:migrations-staging", env_of({{"AWS_DEFAULT_REGION", "us-east-2"},
                                                            {"AWS_ENDPOINT_URL", "http://127.0.0.1:8000/"},
                                                            {"AWS_PROFILE", "staging"}}));
  EXPECT_EQ(s.region, "us-east-2");
  EXPECT_EQ(s.endpoint, "127.0.0.1:8000");
  EXPECT_EQ(s.profile, "staging");
  EXPECT_EQ(s.label, "dynamodb: migrations-staging (us-east-2, 127.0.0.1:8000)");
  // AWS_REGION wins over AWS_DEFAULT_REGION, and the URL over both.
  EXPECT_EQ(store_identity("dynamodb:t-1", env_of({{"AWS_REGION", "a"}, {"AWS_DEFAULT_REGION", "b"}})).region,
            "a");
  EXPECT_EQ(store_identity("dynamodb:t-1?region=c", env_of({{"AWS_REGION", "a"}})).region, "c");
  EXPECT_EQ(store_identity("dynamodb:t-1").region, "") << "no environment given: the region stays unknown";
  EXPECT_EQ(store_identity("dynamodb:t-1").label, "dynamodb: t-1");
}

TEST(Identity, NeverShowsCredentialsPathsOrQueryStringsOfAnEndpoint) {
  const std::string url =
      "dynamodb:tbl?region=eu-west-1&endpoint=" +
      std::string(
          "https%3A%2F%2Fadmin%3Ahunter2%40ddb.internal.example%3A8443%2Fproxy%3FX-Amz-Signature%3Dabc");
  const StoreIdentity s = store_identity(url);
  EXPECT_EQ(s.endpoint, "ddb.internal.example:8443");
  const std::string shown = identity_json({s, "prod"}).dump();
  for (const char* secret : {"hunter2", "admin", "Signature", "abc", "proxy", "https"}) {
    EXPECT_EQ(shown.find(secret), std::string::npos) << secret << " leaked: " << shown;
  }
  EXPECT_EQ(endpoint_host("http://localhost:4566"), "localhost:4566");
  EXPECT_EQ(endpoint_host("http://[::1]:8000/x"), "[::1]:8000");
  EXPECT_EQ(endpoint_host("http://bad host/"), "") << "anything but host characters is dropped";
}

TEST(Identity, AnUnknownOrMalformedUrlShowsOnlyItsScheme) {
  const StoreIdentity custom = store_identity("postgres://app:s3cret@db.example/prod?sslkey=k");
  EXPECT_EQ(custom.scheme, "postgres");
  EXPECT_EQ(custom.label, "postgres: (location not shown)");
  EXPECT_EQ(identity_json({custom, ""}).dump().find("s3cret"), std::string::npos);
  const StoreIdentity bad = store_identity("dynamodb:?endpoint=http://u:pw@h");
  EXPECT_EQ(bad.scheme, "dynamodb");
  EXPECT_EQ(bad.label, "dynamodb: (location not shown)");
  EXPECT_EQ(store_identity("no scheme at all").label, "unknown store");
}

TEST(Identity, TheRouterServesTheLocalBackendsIdentity) {
  Harness h;
  // Before it is told, the backend names the store's scheme only.
  EXPECT_EQ(h.get_json("/api/identity"),
            (Json{{"store", {{"scheme", "memory"}, {"label", "memory store"}}}}));
  h.backend->set_identity({store_identity("sqlite:/srv/app/migrations.db"), "staging"});
  const Response r = h.get("/api/identity");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("Cache-Control"), "no-store");
  EXPECT_EQ(Json::parse(r.body), (Json{{"store",
                                        {{"scheme", "sqlite"},
                                         {"path", "/srv/app/migrations.db"},
                                         {"label", "sqlite: /srv/app/migrations.db"}}},
                                       {"env", "staging"}}));
  EXPECT_EQ(h.get("/api/identity/").status, 200) << "one trailing slash is ignored";
  EXPECT_EQ(h.post("/api/identity", "{}").status, 404) << "GET only";
}

TEST(Identity, TheDeployedApiServesTheRemoteBackendsIdentityBehindItsSecret) {
  const auto store = open_store("memory:");
  RemoteBackendOptions options;
  options.identity = DashboardIdentity{dynamodb_identity("migrations-prod", "eu-west-1"), "prod"};
  RemoteBackend backend(*store, options);
  const ApiGatewayOptions api{.bearer_secret = "s3cret-token", .router = {[](std::string_view) {}}};
  Json event = {{"version", "2.0"},
                {"rawPath", "/api/identity"},
                {"rawQueryString", ""},
                {"headers", {{"authorization", "Bearer s3cret-token"}}},
                {"requestContext", {{"http", {{"method", "GET"}, {"path", "/api/identity"}}}}},
                {"isBase64Encoded", false}};
  Json result = handle_apigw_event(event, backend, api);
  ASSERT_EQ(result["statusCode"], 200) << result.dump();
  EXPECT_EQ(Json::parse(result["body"].get<std::string>()),
            (Json{{"store",
                   {{"scheme", "dynamodb"},
                    {"table", "migrations-prod"},
                    {"region", "eu-west-1"},
                    {"label", "dynamodb: migrations-prod (eu-west-1)"}}},
                  {"env", "prod"}}));
  event["headers"] = Json::object();
  EXPECT_EQ(handle_apigw_event(event, backend, api)["statusCode"], 401) << "no identity without the secret";

  RemoteBackend untold(*store, RemoteBackendOptions{});
  event["headers"] = {{"authorization", "Bearer s3cret-token"}};
  EXPECT_EQ(Json::parse(handle_apigw_event(event, untold, api)["body"].get<std::string>())["store"]["label"],
            "memory store");
}

}  // namespace
}  // namespace auric::dashboard::testing
