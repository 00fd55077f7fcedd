#include "aws/endpoints.hpp"

#include <stdexcept>

#include "aws/encoding.hpp"
#include "aws/http.hpp"

namespace auric::aws {

std::optional<std::string> resolve_region(const Environment& env, const SharedConfig& config,
                                          std::string_view profile) {
  if (auto r = env.get("AWS_REGION")) return std::string(trim(*r));
  if (auto r = env.get("AWS_DEFAULT_REGION")) return std::string(trim(*r));
  if (auto r = config.get(profile, "region")) return *r;
  return std::nullopt;
}

std::optional<std::string> resolve_region(const Environment& env) {
  if (auto r = env.get("AWS_REGION")) return std::string(trim(*r));
  if (auto r = env.get("AWS_DEFAULT_REGION")) return std::string(trim(*r));
  return resolve_region(env, load_shared_config(env), selected_profile(env));
}

namespace {
std::string checked(std::string_view url, std::string_view origin) {
  std::string u(trim(url));
  while (!u.empty() && u.back() == '/') u.pop_back();
  try {
    (void)parse_url(u);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("bad endpoint from " + std::string(origin) + ": " + e.what());
  }
  return u;
}
}  // namespace

std::string resolve_endpoint(const ServiceInfo& service, std::string_view region, const Environment& env,
                             std::string_view explicit_endpoint) {
  if (!trim(explicit_endpoint).empty()) return checked(explicit_endpoint, "the explicit endpoint");
  if (!env_flag(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    const std::string specific = "AWS_ENDPOINT_URL_" + std::string(service.env_suffix);
    if (auto url = env.get(specific)) return checked(*url, specific);
    if (auto url = env.get("AWS_ENDPOINT_URL")) return checked(*url, "AWS_ENDPOINT_URL");
  }
  if (trim(region).empty()) {
    throw std::invalid_argument("no AWS region for " + std::string(service.name) +
                                ": set AWS_REGION or a profile `region`");
  }
  const std::string suffix = region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
  return "https://" + std::string(service.endpoint_prefix) + "." + std::string(region) + suffix;
}

}  // namespace auric::aws
