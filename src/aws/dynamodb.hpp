// The AWS layer's side of the DynamoDB client: DynamoDbClient, AttributeValue and the error
// codes are declared in the public <auric/dynamodb_client.hpp> (what migrations call through
// Context::dynamodb()); this adds what the layer and its callers need besides (the client
// configuration, the protocol codecs and the pagination guard). Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auric/dynamodb_client.hpp>

#include "aws/client.hpp"
#include "aws/protocols.hpp"

namespace auric::aws {

// Keeps a Query/Scan pagination loop finite against an endpoint that misbehaves: call next()
// with each request's ExclusiveStartKey (null for the first) and the LastEvaluatedKey its page
// returned, before following it. Throws AwsError (MalformedResponse, naming the operation) when
// a page hands back the key it started from (no forward progress, which would loop forever)
// or after `max_pages` pages.
class PaginationGuard {
 public:
  static constexpr std::size_t kDefaultMaxPages = 10'000;  // 10 GB at DynamoDB's 1 MB pages
  explicit PaginationGuard(std::string operation, std::size_t max_pages = kDefaultMaxPages)
      : operation_(std::move(operation)), max_pages_(max_pages) {}
  void next(const nlohmann::json& start_key, const nlohmann::json& last_evaluated_key);

 private:
  std::string operation_;
  std::size_t max_pages_;
  std::size_t pages_ = 0;
};

}  // namespace auric::aws
