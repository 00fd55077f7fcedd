#include "dashboard/identity.hpp"

#include <stdexcept>
#include <variant>

#include "store/store_url.hpp"

namespace auric::dashboard {
namespace {

std::string first_set(const IdentityEnv& env, std::initializer_list<const char*> names) {
  if (!env) return {};
  for (const char* name : names) {
    if (auto value = env(name); value && !value->empty()) return *value;
  }
  return {};
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == ':' || c == '[' || c == ']';
}

// The scheme of `url` when it looks like one, else "".
std::string scheme_of(std::string_view url) {
  const auto colon = url.find(':');
  if (colon == std::string_view::npos) return {};
  const std::string scheme(url.substr(0, colon));
  return valid_store_scheme(scheme) ? scheme : std::string();
}

void label_dynamodb(StoreIdentity& s) {
  std::string where = s.region;
  if (!s.endpoint.empty()) where += (where.empty() ? "" : ", ") + s.endpoint;
  s.label = "dynamodb: " + s.table + (where.empty() ? "" : " (" + where + ")");
}

}  // namespace

std::string endpoint_host(std::string_view endpoint) {
  std::string_view rest = endpoint;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  for (const char c : rest) {
    if (!host_char(c)) return {};
  }
  return std::string(rest);
}

StoreIdentity dynamodb_identity(const std::string& table, const std::string& region,
                                const std::string& endpoint, const std::string& profile) {
  StoreIdentity s;
  s.scheme = "dynamodb";
  s.table = table;
  s.region = region;
  s.endpoint = endpoint.empty() ? std::string() : endpoint_host(endpoint);
  s.profile = profile;
  label_dynamodb(s);
  return s;
}

StoreIdentity store_identity(std::string_view store_url, const IdentityEnv& env) {
  StoreUrl url;
  try {
    url = parse_store_url(store_url);
  } catch (const std::invalid_argument&) {
    StoreIdentity s;
    s.scheme = scheme_of(store_url);
    s.label = s.scheme.empty() ? "unknown store" : s.scheme + ": (location not shown)";
    return s;
  }
  if (const auto* dynamo = std::get_if<DynamoDbStoreOptions>(&url.parsed)) {
    const std::string region =
        dynamo->region.empty() ? first_set(env, {"AWS_REGION", "AWS_DEFAULT_REGION"}) : dynamo->region;
    const std::string endpoint = dynamo->endpoint.empty()
                                     ? first_set(env, {"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"})
                                     : dynamo->endpoint;
    const std::string profile = dynamo->profile.empty() ? first_set(env, {"AWS_PROFILE"}) : dynamo->profile;
    return dynamodb_identity(dynamo->table, region, endpoint, profile);
  }
  StoreIdentity s;
  s.scheme = url.scheme;
  if (const auto* sqlite = std::get_if<SqliteStoreLocation>(&url.parsed)) {
    s.path = sqlite->path;
    s.label = "sqlite: " + s.path;
  } else if (const auto* memory = std::get_if<MemoryStoreLocation>(&url.parsed)) {
    s.name = memory->name;
    s.label = "memory: " + (s.name.empty() ? std::string("(private to this process)") : s.name);
  } else {
    // A registered scheme: its location is its own business and may carry credentials.
    s.label = s.scheme + ": (location not shown)";
  }
  return s;
}

Json identity_json(const DashboardIdentity& identity) {
  const StoreIdentity& s = identity.store;
  Json store = {{"scheme", s.scheme}, {"label", s.label}};
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) store[key] = value;
  };
  put("table", s.table);
  put("region", s.region);
  put("endpoint", s.endpoint);
  put("profile", s.profile);
  put("path", s.path);
  put("name", s.name);
  Json j = {{"store", std::move(store)}};
  if (!identity.env.empty()) j["env"] = identity.env;
  return j;
}

}  // namespace auric::dashboard
