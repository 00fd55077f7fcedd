// The DynamoDB Store (`dynamodb:TABLE?region=R&endpoint=URL`): one table, keys pk/sk and one
// GSI gsi1, laid out as docs/table-design.md describes. Every conditional write is a single
// request with a ConditionExpression (no Scan, no transactions); reads of the lock and the
// states are strongly consistent. A store handle shares one thread-safe client: all methods
// are thread-safe. AWS headers stay in the .cpp (aws types are only forward-declared here).
// The client migrations get from Context::dynamodb(): store/dynamodb_client_factory.hpp.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/store.hpp"

namespace auric::aws {
struct ClientConfig;
}  // namespace auric::aws

namespace auric {

// Attempts per request (first included) when neither the URL nor AWS_MAX_ATTEMPTS says:
// more than the AWS default of 3, because a failed state write costs a re-run.
inline constexpr int kDynamoDbStoreDefaultMaxAttempts = 6;

struct DynamoDbStoreOptions {
  std::string table;     // 3..255 of [A-Za-z0-9_.-]
  std::string region;    // "" = AWS_REGION / AWS_DEFAULT_REGION / the profile's region
  std::string endpoint;  // "" = AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL / standard
  std::string profile;   // "" = the default credential chain (AWS_PROFILE honoured)
  int max_attempts = 0;  // 0 = AWS_MAX_ATTEMPTS, else kDynamoDbStoreDefaultMaxAttempts
  std::chrono::milliseconds init_timeout{std::chrono::minutes(5)};  // init(): wait for ACTIVE
};

// Parses the part of a store URL after "dynamodb:": `TABLE[?key=value&...]` with the keys
// region, endpoint, profile and max_attempts (values percent-decoded). Throws
// std::invalid_argument naming the problem and the expected form for an empty or invalid
// table name, an unknown or repeated key, or a bad value.
DynamoDbStoreOptions parse_dynamodb_store_location(const std::string& location);

// Opens the store. No request is sent until the first call. Throws StoreError (one line, with
// what to do) when no region can be resolved or the configuration is malformed.
std::unique_ptr<Store> open_dynamodb_store(const DynamoDbStoreOptions& options);

// Same, with a ready client configuration (tests: transport, credentials, retries).
std::unique_ptr<Store> open_dynamodb_store(const std::string& table, const aws::ClientConfig& config,
                                           std::chrono::milliseconds init_timeout = std::chrono::minutes(5));

}  // namespace auric
