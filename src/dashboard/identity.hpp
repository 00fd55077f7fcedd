// What a dashboard shows about itself, so that two tabs on two deployments never look alike:
// the store (scheme; table, file or name; region) and the environment (`--env` / [env.NAME]).
// Built from a store URL without opening anything, and never carries a secret: no query
// string, no credentials, and a custom endpoint as host[:port] only. Pure; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <auric/migrations.hpp>

namespace auric::dashboard {

struct StoreIdentity {
  std::string scheme;    // "sqlite", "dynamodb", "memory", or a registered scheme
  std::string table;     // dynamodb: the table
  std::string region;    // dynamodb: the region, when known
  std::string endpoint;  // dynamodb: a custom endpoint as host[:port]; empty for the standard one
  std::string profile;   // dynamodb: the AWS profile named for it, when one is
  std::string path;      // sqlite: the file as given
  std::string name;      // memory: the shared store's name (empty: a private store)
  // One line for people: "dynamodb: migrations-prod (eu-west-1)", "sqlite: ./app.db".
  std::string label;
};

struct DashboardIdentity {
  StoreIdentity store;
  std::string env;  // the [env.NAME] applied, or ""
};

// Reads AWS_REGION and the like; std::nullopt when unset (app::process_env in production).
using IdentityEnv = std::function<std::optional<std::string>(const std::string&)>;

// The identity of the store at `store_url` as this process resolves it: a dynamodb URL without
// ?region= / ?endpoint= takes AWS_REGION (else AWS_DEFAULT_REGION) and
// AWS_ENDPOINT_URL_DYNAMODB (else AWS_ENDPOINT_URL) from `env` when it is given. A URL that
// does not parse, or a scheme this part does not know, gives the scheme alone (whatever follows
// it may hold credentials). Never throws.
StoreIdentity store_identity(std::string_view store_url, const IdentityEnv& env = {});

// A DynamoDB table known by name and region (auric-migrate-dashboard, which has no store URL).
StoreIdentity dynamodb_identity(const std::string& table, const std::string& region,
                                const std::string& endpoint = "", const std::string& profile = "");

// The host[:port] of an endpoint URL (`http://user:pw@host:8000/path?key=…` → `host:8000`);
// "" when it has none or it holds anything but host and port characters.
std::string endpoint_host(std::string_view endpoint);

// GET /api/identity: `{store: {scheme, label, table?, region?, endpoint?, profile?, path?,
// name?}, env?}` (empty fields omitted).
Json identity_json(const DashboardIdentity& identity);

}  // namespace auric::dashboard
