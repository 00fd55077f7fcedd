// Region and endpoint resolution, and the static description of each service we call.
// Resolution is a pure function of (environment, shared config, explicit overrides), so
// tests point clients at emulators with AWS_ENDPOINT_URL_<SERVICE>. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/config_file.hpp"
#include "aws/environment.hpp"

namespace auric::aws {

// What a client needs to know about its service.
struct ServiceInfo {
  std::string_view name;             // for messages: "DynamoDB"
  std::string_view signing_name;     // SigV4 service: "dynamodb"
  std::string_view endpoint_prefix;  // host prefix: "dynamodb", "portal.sso"
  std::string_view env_suffix;       // AWS_ENDPOINT_URL_<env_suffix>
};

inline constexpr ServiceInfo kDynamoDbService{"DynamoDB", "dynamodb", "dynamodb", "DYNAMODB"};
inline constexpr ServiceInfo kLambdaService{"Lambda", "lambda", "lambda", "LAMBDA"};
inline constexpr ServiceInfo kS3Service{"S3", "s3", "s3", "S3"};
inline constexpr ServiceInfo kStsService{"STS", "sts", "sts", "STS"};
inline constexpr ServiceInfo kSsoService{"SSO", "awsssoportal", "portal.sso", "SSO"};
inline constexpr ServiceInfo kEcsService{"ECS", "ecs", "ecs", "ECS"};

// AWS_REGION, else AWS_DEFAULT_REGION, else the profile's `region`; nullopt when none is set.
std::optional<std::string> resolve_region(const Environment& env, const SharedConfig& config,
                                          std::string_view profile);

// Like resolve_region, loading the shared config and using AWS_PROFILE.
// Throws ConfigFileError for a malformed config file.
std::optional<std::string> resolve_region(const Environment& env);

// The endpoint URL (no trailing slash) for a service:
//   1. `explicit_endpoint` when not empty;
//   2. AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_DYNAMODB);
//   3. AWS_ENDPOINT_URL;
//   4. https://<prefix>.<region>.amazonaws.com (".amazonaws.com.cn" in cn- regions).
// Steps 2 and 3 are skipped when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
// Throws std::invalid_argument when the region is empty and no override applies, or an
// override is not an absolute http(s) URL.
std::string resolve_endpoint(const ServiceInfo& service, std::string_view region, const Environment& env,
                             std::string_view explicit_endpoint = {});

}  // namespace auric::aws
